require ["variables", "fileinto"];
set "h" "x-mailer";
if header :contains "${h}" "mutt" { fileinto "Dynamic"; }
