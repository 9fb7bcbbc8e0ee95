require "imap4flags";
addflag ["\\Flagged", "Work", "Urgent"];
removeflag "Urgent";
