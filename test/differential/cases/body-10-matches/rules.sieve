require ["body", "fileinto"];
if body :matches "*meet tomorrow*" { fileinto "Match"; }
if body :matches "Hi Bob*" { fileinto "Anchored"; }
