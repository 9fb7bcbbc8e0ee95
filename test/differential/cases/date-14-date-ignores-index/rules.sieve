require ["date", "index", "variables", "fileinto"];
if date :index 2 :originalzone :matches "received" "hour" "*" { fileinto "H${1}"; }
