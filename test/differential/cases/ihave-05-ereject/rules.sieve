require ["ihave", "fileinto"];
if ihave "ereject" { fileinto "HasEreject"; } else { fileinto "NoEreject"; }
