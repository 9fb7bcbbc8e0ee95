require ["editheader", "fileinto"];
addheader "X-Sieve-Tag" "processed";
if header :is "x-sieve-tag" "processed" { fileinto "Tagged"; }
