require ["variables", "fileinto"];
if header :matches "subject" "*" { fileinto "[${2}][${9}]"; }
