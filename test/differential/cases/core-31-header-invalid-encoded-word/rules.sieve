require "fileinto";
if header :contains "x-broken" "not valid base64" { fileinto "Literal"; }
if header :contains "x-broken" "tail" { fileinto "Tail"; }
