require ["body", "fileinto"];
if body :contains "Q2 budget" { fileinto "Budget"; }
