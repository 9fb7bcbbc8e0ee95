require ["variables", "fileinto"];
if header :matches "x-mailer" "M?tt/*" { fileinto "${1}-${2}"; }
