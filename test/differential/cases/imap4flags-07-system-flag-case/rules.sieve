require "imap4flags";
addflag "\\SEEN";
addflag "\\seen";
removeflag "\\Seen";
addflag "\\ANSWERED";
