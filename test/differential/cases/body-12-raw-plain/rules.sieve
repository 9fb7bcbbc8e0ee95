require ["body", "fileinto"];
if body :raw :contains "exit code 3" { fileinto "Raw"; }
if body :raw :matches "The nightly*" { fileinto "RawStart"; }
