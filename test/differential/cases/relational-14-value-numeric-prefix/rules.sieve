require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :value "eq" :comparator "i;ascii-numeric" "x-spam-score" "7" { fileinto "PrefixSeven"; }
