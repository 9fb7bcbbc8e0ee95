require ["fileinto", "encoded-character"];
if header :contains "subject" "Gr${unicode:fc}${unicode:DF}e" { fileinto "Matched"; }
