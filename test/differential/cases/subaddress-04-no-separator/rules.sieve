require ["subaddress", "fileinto"];
if address :detail :matches "cc" "*" { fileinto "CcDetail"; }
if address :user :is "cc" "plain" { fileinto "CcUser"; }
