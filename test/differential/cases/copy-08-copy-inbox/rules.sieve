require ["fileinto", "copy"];
fileinto :copy "INBOX";
