require ["relational", "comparator-i;ascii-numeric", "envelope", "fileinto"];
if envelope :count "eq" :comparator "i;ascii-numeric" "to" "1" { fileinto "OneRcpt"; }
