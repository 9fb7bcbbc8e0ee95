require ["index", "fileinto"];
if address :index 1 :is "to" "dave@example.net" { fileinto "SecondAddrSameField"; }
if address :index 2 :is "to" "dave@example.net" { fileinto "IndexTwo"; }
