require ["imap4flags", "fileinto"];
fileinto :flags "\\Seen \\SEEN foo Foo" "Work";
