require ["variables", "fileinto"];
set :upperfirst "f" "mixed case";
fileinto "${f}";
