require ["reject", "imap4flags"];
addflag "\\Flagged";
reject "no";
