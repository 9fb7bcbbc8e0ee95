require ["date", "variables", "fileinto"];
if currentdate :zone "+0200" :matches "zone" "*" { set "z" "${1}"; }
if currentdate :zone "-0730" :matches "zone" "*" { set "y" "${1}"; }
fileinto "${z}|${y}";
