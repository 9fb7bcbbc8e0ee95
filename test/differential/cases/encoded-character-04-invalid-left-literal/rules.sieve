require ["fileinto", "encoded-character"];
fileinto "A${hex:zz}B${unicode:}C";
