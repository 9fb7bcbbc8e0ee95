require ["body", "fileinto"];
if body :comparator "i;octet" :contains "hi bob" { fileinto "Lower"; }
if body :comparator "i;octet" :contains "Hi Bob" { fileinto "Exact"; }
