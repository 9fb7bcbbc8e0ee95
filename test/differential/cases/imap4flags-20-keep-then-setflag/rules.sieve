require "imap4flags";
keep;
setflag "Late";
