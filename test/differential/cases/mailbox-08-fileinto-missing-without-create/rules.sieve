require ["mailbox", "fileinto"];
fileinto "DoesNotExist";
