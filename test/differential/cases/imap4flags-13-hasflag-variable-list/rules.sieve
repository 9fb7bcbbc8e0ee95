require ["imap4flags", "variables", "fileinto"];
set "a" "one two";
set "b" "three";
if hasflag ["a", "b"] "two" { fileinto "InA"; }
if hasflag ["a", "b"] "three" { fileinto "InB"; }
if hasflag "a" "three" { fileinto "Wrong"; }
