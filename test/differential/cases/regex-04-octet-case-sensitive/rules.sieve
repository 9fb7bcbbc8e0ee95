require ["regex", "fileinto"];
if header :regex :comparator "i;octet" "subject" "^meeting" { fileinto "Lower"; }
if header :regex :comparator "i;octet" "subject" "^Meeting" { fileinto "Exact"; }
