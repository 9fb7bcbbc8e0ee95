require ["date", "variables", "fileinto"];
if date :zone "+0000" :matches "date" "hour" "*" { set "utc" "${1}"; }
if date :zone "-0500" :matches "date" "hour" "*" { set "est" "${1}"; }
if date :zone "+0530" :matches "date" "time" "*" { set "ist" "${1}"; }
fileinto "${utc}-${est}-${ist}";
