require ["mailbox", "fileinto", "copy", "imap4flags"];
fileinto :create :copy :flags "\\Seen" "Archive";
