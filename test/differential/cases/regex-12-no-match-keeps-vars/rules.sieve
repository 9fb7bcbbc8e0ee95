require ["regex", "variables", "fileinto"];
if header :regex "subject" "^(Meeting)" { set "a" "${1}"; }
if header :regex "subject" "^(Nothing)" { set "a" "bad"; }
fileinto "${a}-${1}";
