require ["date", "fileinto"];
if not date :matches "x-missing" "year" "*" { fileinto "Missing"; }
