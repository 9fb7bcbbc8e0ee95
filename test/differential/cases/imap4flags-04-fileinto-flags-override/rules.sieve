require ["imap4flags", "fileinto"];
setflag "\\Seen";
fileinto :flags "\\Flagged" "Work";
