require ["regex", "fileinto"];
if header :regex "subject" "^Meeting .* Q[0-9] budget$" { fileinto "Regex"; }
