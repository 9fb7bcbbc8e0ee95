if size :over 99999999999999999999 { discard; }
