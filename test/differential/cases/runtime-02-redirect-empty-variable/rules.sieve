require "variables";
redirect "${nothing}";
