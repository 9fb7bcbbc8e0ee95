require ["regex", "variables", "fileinto"];
if header :regex "subject" "\\[(ops|dev)\\] .* (FAILED|OK) on ([a-z]+[0-9])" { fileinto "${1}-${2}-${3}"; }
