require "index";
if header :index 0 :contains "received" "x" { discard; }
