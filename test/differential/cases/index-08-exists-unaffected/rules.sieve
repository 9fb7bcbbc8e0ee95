require ["index", "relational", "comparator-i;ascii-numeric", "fileinto"];
if header :index 2 :count "eq" :comparator "i;ascii-numeric" "received" "1" { fileinto "CountOfIndexed"; }
if header :index 2 :count "eq" :comparator "i;ascii-numeric" "received" "3" { fileinto "CountOfAll"; }
