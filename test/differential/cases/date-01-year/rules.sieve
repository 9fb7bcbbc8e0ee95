require ["date", "fileinto"];
if date :is "date" "year" "2024" { fileinto "Y2024"; }
