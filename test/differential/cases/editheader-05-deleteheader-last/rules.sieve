require ["editheader", "index", "relational", "comparator-i;ascii-numeric", "fileinto"];
deleteheader :index 1 :last "received";
if header :count "eq" :comparator "i;ascii-numeric" "received" "1" { fileinto "OneLeft"; }
if header :contains "received" "mx2.example.net (mx2" { fileinto "FirstKept"; }
