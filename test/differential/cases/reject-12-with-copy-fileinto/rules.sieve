require ["reject", "fileinto", "copy"];
fileinto :copy "Archive";
reject "no";
