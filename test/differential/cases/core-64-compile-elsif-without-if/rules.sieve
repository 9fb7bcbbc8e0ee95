elsif true { discard; }
