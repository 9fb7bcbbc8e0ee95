require ["environment", "variables", "fileinto"];
if environment :matches "location" "*" { fileinto "Loc-${1}"; }
