if address :user "to" "bob" { discard; }
