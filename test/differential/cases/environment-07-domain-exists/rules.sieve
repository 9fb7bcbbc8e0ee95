require ["environment", "fileinto"];
if environment :matches "domain" "?*" { fileinto "HasDomain"; }
if environment :matches "host" "?*" { fileinto "HasHost"; }
