require ["mailbox", "fileinto"];
if mailboxexists ["Work", "Lists"] { fileinto "Both"; }
if mailboxexists ["Work", "Gone"] { fileinto "OneMissing"; }
