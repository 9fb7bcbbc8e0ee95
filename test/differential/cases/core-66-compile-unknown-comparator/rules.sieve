if header :comparator "i;bogus" :is "subject" "x" { discard; }
