require ["date", "variables", "fileinto"];
if date :zone "+0000" :matches "date" "weekday" "*" { set "w" "${1}"; }
if date :zone "+0000" :matches "date" "julian" "*" { set "j" "${1}"; }
fileinto "${w}-${j}";
