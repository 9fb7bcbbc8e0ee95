require ["regex", "variables", "fileinto"];
if header :regex "x-mailer" "[0-9]+\\.[0-9]+" { fileinto "v${0}"; }
