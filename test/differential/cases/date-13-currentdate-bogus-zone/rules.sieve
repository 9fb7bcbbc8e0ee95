require ["date", "variables", "fileinto"];
if currentdate :zone "bogus" :matches "zone" "*" { fileinto "Zone${1}"; }
