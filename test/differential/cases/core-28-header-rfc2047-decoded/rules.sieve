require "fileinto";
if header :contains "subject" "Grüße aus München" { fileinto "Decoded"; }
if header :contains "subject" "=?UTF-8?" { fileinto "Raw"; }
