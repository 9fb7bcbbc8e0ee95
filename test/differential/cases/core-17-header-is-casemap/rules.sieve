if header :is "Subject" "meeting TOMORROW about the q2 BUDGET" { discard; }
