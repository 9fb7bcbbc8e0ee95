require ["regex", "fileinto"];
if header :regex "subject" "^meeting TOMORROW" { fileinto "CaseInsensitive"; }
