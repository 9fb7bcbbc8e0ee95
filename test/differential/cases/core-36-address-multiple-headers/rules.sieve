require "fileinto";
if address :is ["to", "cc"] "carol@example.org" { fileinto "Carol"; }
if address :matches :domain ["to", "cc"] "*.net" { fileinto "Net"; }
