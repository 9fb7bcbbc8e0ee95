require ["imap4flags", "fileinto"];
addflag "Important";
if hasflag "important" { fileinto "HasIt"; }
if hasflag :contains "Impo" { fileinto "Contains"; }
