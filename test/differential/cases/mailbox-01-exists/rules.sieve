require ["mailbox", "fileinto"];
if mailboxexists "Work" { fileinto "Work"; }
