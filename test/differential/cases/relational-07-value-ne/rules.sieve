require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :value "ne" :comparator "i;ascii-numeric" "x-priority" ["3", "4"] { fileinto "NeAny"; }
if header :value "ne" :comparator "i;ascii-numeric" "x-priority" "3" { fileinto "Ne3"; }
