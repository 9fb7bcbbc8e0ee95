if address :is "subject" "x@example.com" { discard; }
