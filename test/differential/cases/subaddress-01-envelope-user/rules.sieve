require ["subaddress", "envelope", "fileinto"];
if envelope :user "to" "bob" { fileinto "User"; }
