require "date";
if date :zone "+0000" :originalzone "date" "year" "2024" { discard; }
