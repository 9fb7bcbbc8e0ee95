require ["regex", "variables", "fileinto"];
if header :regex "from" "^(.*) <([^@]+)@(.+)>$" { fileinto "${3}/${2}/${1}"; }
