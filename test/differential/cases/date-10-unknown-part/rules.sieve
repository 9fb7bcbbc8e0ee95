require ["date", "fileinto"];
if date :is "date" "fortnight" "1" { fileinto "Fortnight"; }
if not date :matches "date" "fortnight" "*" { fileinto "NoPart"; }
