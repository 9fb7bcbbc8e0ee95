if date :is "date" "year" "2024" { discard; }
