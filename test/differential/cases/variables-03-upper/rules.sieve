require ["variables", "fileinto"];
set :upper "f" "MiXeD Case";
fileinto "${f}";
