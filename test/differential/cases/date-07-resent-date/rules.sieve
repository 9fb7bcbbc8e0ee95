require ["date", "variables", "fileinto"];
if date :originalzone :matches "resent-date" "hour" "*" { fileinto "H${1}"; }
