require ["index", "variables", "fileinto"];
if header :index 2 :matches "received" "from *.example.org *" { fileinto "Second-${1}"; }
