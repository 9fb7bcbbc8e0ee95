require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :value "lt" :comparator "i;ascii-numeric" "x-priority" "5" { fileinto "Lt5"; }
if header :value "ge" :comparator "i;ascii-numeric" "x-priority" "4" { fileinto "Ge4"; }
