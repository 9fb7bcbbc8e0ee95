require ["date", "variables", "fileinto"];
if date :originalzone :matches "date" "zone" "*" { set "z" "${1}"; }
if date :originalzone :matches "date" "date" "*" { set "d" "${1}"; }
fileinto "${d}_${z}";
