require ["body", "fileinto"];
if body :content "" :contains "spring sale" { fileinto "EmptyType"; }
