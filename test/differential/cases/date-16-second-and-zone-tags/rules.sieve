require ["date", "variables", "fileinto"];
if date :zone "+0000" :matches "date" "second" "*" { set "s" "${1}"; }
if date :zone "+0000" :matches "date" "month" "*" { set "m" "${1}"; }
if date :zone "+0000" :matches "date" "day" "*" { set "d" "${1}"; }
fileinto "${m}${d}-${s}";
