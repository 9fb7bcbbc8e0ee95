require "imap4flags";
setflag ["\\Recent", "\\Seen"];
