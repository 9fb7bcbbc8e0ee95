if header :contains ["x-spam", "subject", "x-mailer"] ["viagra", "mutt"] { discard; }
