require "relational";
if header :value "approx" "subject" "x" { discard; }
