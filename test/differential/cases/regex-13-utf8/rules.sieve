require ["regex", "variables", "fileinto"];
if header :regex "subject" "^Gr(..)e" { fileinto "mid-${1}"; }
