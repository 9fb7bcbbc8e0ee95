require ["regex", "variables", "fileinto"];
# Pigeonhole matches POSIX regexes on bytes: "ü" is two "." here.
if header :regex "subject" "^Gr(....)e" { fileinto "FourBytes"; }
if header :regex "subject" "^Gr(..)e" { fileinto "TwoChars"; }
