require ["variables", "fileinto"];
fileinto "${100}";
