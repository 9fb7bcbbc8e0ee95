require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if header :value "gt" :comparator "i;ascii-numeric" "subject" "99999" { fileinto "SubjectInfinite"; }
if header :value "eq" :comparator "i;ascii-numeric" "subject" "x" { fileinto "BothInfinite"; }
