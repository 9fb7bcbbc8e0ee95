if address :all :is "from" "alice@example.org" { discard; }
