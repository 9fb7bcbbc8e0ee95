require ["regex", "fileinto"];
if address :regex :domain "to" "^example\\.(com|net)$" { fileinto "ComOrNet"; }
