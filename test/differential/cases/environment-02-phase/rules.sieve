require ["environment", "variables", "fileinto"];
if environment :matches "phase" "*" { fileinto "Phase-${1}"; }
