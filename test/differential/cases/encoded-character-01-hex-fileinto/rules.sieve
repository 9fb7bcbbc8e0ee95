require ["fileinto", "encoded-character"];
fileinto "${hex:46 6f 6c 64 65 72}";
