require ["variables", "fileinto"];
set :lower "f" "MiXeD Case";
fileinto "${f}";
