require "imap4flags";
setflag ["Good", "bad(paren", "\\Unknown"];
