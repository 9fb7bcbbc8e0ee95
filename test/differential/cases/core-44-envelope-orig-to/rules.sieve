require "envelope";
if envelope :is "orig_to" "bob@example.com" { discard; }
