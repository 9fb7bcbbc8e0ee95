require ["spamtest", "relational", "comparator-i;ascii-numeric", "fileinto"];
if spamtest :value "ge" :comparator "i;ascii-numeric" "5" { fileinto "Spam"; }
if spamtest :value "eq" :comparator "i;ascii-numeric" "1" { fileinto "One"; }
