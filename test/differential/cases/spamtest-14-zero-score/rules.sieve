require ["spamtest", "spamtestplus", "variables", "fileinto"];
if spamtest :matches "*" { set "s" "${1}"; }
if spamtest :percent :matches "*" { set "p" "${1}"; }
fileinto "${s}-${p}";
