require ["mailbox", "fileinto"];
if mailboxexists "INBOX" { fileinto "InboxExists"; }
if mailboxexists "inbox" { fileinto "LowerInbox"; }
