require ["date", "variables", "fileinto"];
if date :originalzone :matches "received" "minute" "*" { fileinto "M${1}"; }
