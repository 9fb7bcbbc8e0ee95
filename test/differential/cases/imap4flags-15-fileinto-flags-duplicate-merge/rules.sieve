require ["imap4flags", "fileinto"];
fileinto :flags "X" "Work";
fileinto :flags "Y" "Work";
