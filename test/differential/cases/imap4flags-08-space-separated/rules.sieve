require "imap4flags";
setflag "A  B \\Draft";
