require ["ihave", "fileinto"];
if ihave ["fileinto", "x-nope"] { fileinto "All"; } else { fileinto "NotAll"; }
