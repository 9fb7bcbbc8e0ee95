require ["fileinto", "encoded-character"];
fileinto "${HEX: 41  42 }${Unicode:0043}";
