require ["relational", "comparator-i;ascii-numeric", "fileinto"];
if address :count "eq" :comparator "i;ascii-numeric" "to" "3" { fileinto "Three"; }
if address :count "eq" :comparator "i;ascii-numeric" "to" "4" { fileinto "Four"; }
if address :count "eq" :comparator "i;ascii-numeric" "cc" "1" { fileinto "InvalidCountsOne"; }
if address :count "eq" :comparator "i;ascii-numeric" "cc" "0" { fileinto "InvalidCountsZero"; }
