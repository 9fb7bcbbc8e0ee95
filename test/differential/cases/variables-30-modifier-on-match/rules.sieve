require ["variables", "fileinto"];
if header :matches "from" "* <*>" { set :upper "n" "${1}"; }
fileinto "${n}";
