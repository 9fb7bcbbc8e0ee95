require "fileinto";
if header :matches "subject" "budget" { fileinto "Partial"; }
if header :matches "subject" "*" { fileinto "Star"; }
