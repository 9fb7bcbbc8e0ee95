require ["variables", "fileinto"];
set "v" "Hello";
if string :is "${v}" "hello" { fileinto "CaseInsensitive"; }
if string :comparator "i;octet" :is "${v}" "hello" { fileinto "Octet"; }
if string :contains ["a", "${v}"] "ell" { fileinto "List"; }
