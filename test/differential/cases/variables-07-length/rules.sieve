require ["variables", "fileinto"];
set :length "f" "hello";
fileinto "len-${f}";
