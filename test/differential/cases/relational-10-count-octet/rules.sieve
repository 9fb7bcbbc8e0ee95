require ["relational", "fileinto"];
if header :count "lt" :comparator "i;octet" "received" "10" { fileinto "StringLess"; }
if header :count "gt" :comparator "i;octet" "received" "10" { fileinto "StringGreater"; }
