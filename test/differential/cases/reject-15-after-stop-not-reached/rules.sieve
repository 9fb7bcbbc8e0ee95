require ["reject", "fileinto"];
fileinto "Work";
stop;
reject "never";
