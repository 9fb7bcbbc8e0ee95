require ["reject", "fileinto", "imap4flags"];
addflag "\\Seen";
fileinto "Work";
redirect "archive@example.net";
reject "no";
