require ["regex", "variables", "fileinto"];
if header :regex "subject" "^(Re: )?(Meeting)" { fileinto "[${1}][${2}]"; }
