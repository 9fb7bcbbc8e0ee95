if header :matches "subject" "Meeting*budget" { discard; }
