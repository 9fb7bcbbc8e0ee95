require ["imap4flags", "fileinto"];
setflag "\\Flagged";
if hasflag :matches "\\\\*" { fileinto "System"; }
if hasflag :is "\\FLAGGED" { fileinto "Casemap"; }
