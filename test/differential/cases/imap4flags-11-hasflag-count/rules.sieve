require ["imap4flags", "relational", "comparator-i;ascii-numeric", "fileinto"];
setflag ["A", "B", "\\Seen"];
if hasflag :count "eq" :comparator "i;ascii-numeric" "3" { fileinto "Three"; }
