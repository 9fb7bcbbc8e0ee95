if header :index 1 :contains "received" "x" { discard; }
