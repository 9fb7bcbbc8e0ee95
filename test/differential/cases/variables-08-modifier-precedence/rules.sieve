require ["variables", "fileinto"];
set :upperfirst :lower "a" "hELLO wORLD";
set :length :upper "b" "abc";
fileinto "${a}-${b}";
