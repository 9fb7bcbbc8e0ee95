require ["variables", "fileinto"];
if header :matches "subject" "Meeting *" { set "x" "ok"; }
if header :matches "subject" "Nothing *" { set "x" "bad"; }
fileinto "${1}";
