require "imap4flags";
setflag ["X", "Y"];
removeflag ["x", "Y"];
