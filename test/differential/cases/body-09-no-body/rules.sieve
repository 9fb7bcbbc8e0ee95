require ["body", "fileinto"];
if body :contains "" { fileinto "EmptyContains"; }
if not body :contains "" { fileinto "NoBody"; }
