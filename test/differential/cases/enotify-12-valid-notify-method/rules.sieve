require ["enotify", "fileinto"];
if valid_notify_method "mailto:bob@example.com" { fileinto "MailtoValid"; }
if valid_notify_method "xmpp:bob@example.com" { fileinto "XmppValid"; }
if valid_notify_method ["mailto:bob@example.com", "bogus"] { fileinto "ListValid"; }
