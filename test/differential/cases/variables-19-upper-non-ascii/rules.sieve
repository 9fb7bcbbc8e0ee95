require ["variables", "fileinto"];
if header :matches "x-location" "*" { set :upper "u" "${1}"; }
fileinto "${u}";
