require ["spamtest", "variables", "fileinto"];
if spamtest :matches "*" { fileinto "Score-${1}"; }
