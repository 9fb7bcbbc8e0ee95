require "fileinto";
if address :all :contains "from" "Alice Example" { fileinto "DisplayName"; }
if header :contains "from" "Alice Example" { fileinto "HeaderName"; }
