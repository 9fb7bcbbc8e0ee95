require ["subaddress", "relational", "comparator-i;ascii-numeric", "fileinto"];
if address :detail :count "eq" :comparator "i;ascii-numeric" "to" "3" { fileinto "Three"; }
if address :detail :count "eq" :comparator "i;ascii-numeric" "to" "4" { fileinto "Four"; }
