require ["date", "fileinto"];
if date :matches "x-bad-date" "year" "*" { fileinto "Parsed"; }
if not date :matches "x-bad-date" "year" "*" { fileinto "NotParsed"; }
