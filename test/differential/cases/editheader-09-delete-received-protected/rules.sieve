require ["editheader", "relational", "comparator-i;ascii-numeric", "fileinto"];
deleteheader "received";
if header :count "eq" :comparator "i;ascii-numeric" "received" "2" { fileinto "Protected"; }
if not exists "received" { fileinto "Deleted"; }
