require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :count "ge" :comparator "i;ascii-numeric" "received" "2" { fileinto "TwoHops"; }
if header :count "gt" :comparator "i;ascii-numeric" "received" "2" { fileinto "MoreThanTwo"; }
