require ["date", "variables", "fileinto"];
if date :zone "+0100" :matches "date" "iso8601" "*" { set "i" "${1}"; }
if date :zone "+0100" :matches "date" "std11" "*" { set "s" "${1}"; }
fileinto "${i}|${s}";
