if ihave "fileinto" { discard; }
