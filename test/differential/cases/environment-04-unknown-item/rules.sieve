require ["environment", "fileinto"];
if environment :matches "x-unknown" "*" { fileinto "Unknown"; } else { fileinto "NotKnown"; }
