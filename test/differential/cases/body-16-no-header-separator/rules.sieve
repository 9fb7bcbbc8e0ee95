require ["body", "fileinto"];
if body :contains "" { fileinto "EmptyContains"; }
