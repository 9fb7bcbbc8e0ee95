if envelope :is "from" "alice@example.org" { discard; }
