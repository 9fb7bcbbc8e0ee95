require ["variables", "fileinto"];
if header :matches "x-location" "*" { set :length "n" "${1}"; }
fileinto "len-${n}";
