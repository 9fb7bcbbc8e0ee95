require ["variables", "fileinto"];
if header :matches "subject" "* tomorrow *" { set "first" "${1}"; }
if header :contains "subject" "budget" { set "after" "${1}"; }
fileinto "${first}-${after}";
