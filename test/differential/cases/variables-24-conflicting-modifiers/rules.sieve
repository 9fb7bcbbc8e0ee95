require "variables";
set :lower :upper "a" "x";
