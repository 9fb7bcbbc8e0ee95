# An empty script (only a comment): the implicit keep stores the message in INBOX.
