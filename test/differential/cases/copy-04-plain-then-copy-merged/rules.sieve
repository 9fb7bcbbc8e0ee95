require ["fileinto", "copy"];
fileinto "Work";
fileinto :copy "Work";
