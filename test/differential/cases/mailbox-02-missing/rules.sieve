require ["mailbox", "fileinto"];
if mailboxexists "Nope" { fileinto "Nope"; } else { fileinto "Work"; }
