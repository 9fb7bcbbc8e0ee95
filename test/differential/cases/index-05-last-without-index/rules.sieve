require "index";
if header :last :contains "received" "x" { discard; }
