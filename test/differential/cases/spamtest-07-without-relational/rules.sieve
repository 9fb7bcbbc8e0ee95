require "spamtest";
if spamtest :value "ge" "5" { discard; }
