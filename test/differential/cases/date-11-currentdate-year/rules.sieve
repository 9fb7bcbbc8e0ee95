require ["date", "relational", "comparator-i;ascii-numeric", "fileinto"];
if currentdate :zone "+0000" :value "ge" :comparator "i;ascii-numeric" "year" "2024" { fileinto "Recent"; }
if currentdate :zone "+0000" :value "gt" :comparator "i;ascii-numeric" "year" "9000" { fileinto "Future"; }
