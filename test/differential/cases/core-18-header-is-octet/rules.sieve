if header :comparator "i;octet" :is "subject" "meeting tomorrow about the q2 budget" { discard; }
