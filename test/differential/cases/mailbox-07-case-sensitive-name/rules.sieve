require ["mailbox", "fileinto"];
if mailboxexists "work" { fileinto "LowerWork"; }
