require ["variables", "fileinto"];
fileinto "A${undefined}B";
