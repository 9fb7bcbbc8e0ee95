require ["spamtestplus", "variables", "fileinto"];
if spamtest :percent :matches "*" { fileinto "Pct-${1}"; }
