require ["variables", "relational", "comparator-i;ascii-numeric", "fileinto"];
set "empty" "";
if string :count "eq" :comparator "i;ascii-numeric" ["a", "${empty}", "b"] "2" { fileinto "EmptyNotCounted"; }
if string :count "eq" :comparator "i;ascii-numeric" ["a", "${empty}", "b"] "3" { fileinto "EmptyCounted"; }
