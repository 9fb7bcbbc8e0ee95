require ["subaddress", "envelope", "variables", "fileinto"];
if envelope :detail :matches "to" "*" { fileinto "Detail-${1}"; }
