require ["mailbox", "fileinto"];
if mailboxexists "Lists/Dev" { fileinto "Lists/Dev"; }
if mailboxexists "Lists.Dev" { fileinto "DotName"; }
