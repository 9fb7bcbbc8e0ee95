require ["reject", "fileinto"];
fileinto "Work";
reject "no";
