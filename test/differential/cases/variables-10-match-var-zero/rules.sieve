require ["variables", "fileinto"];
if address :matches :domain "from" "*.org" {
  fileinto "${0}|${1}";
}
