require ["variables", "fileinto"];
if header :matches "subject" "*" { set :quotewildcard "s" "${1}"; }
set "pattern" "${s}";
if header :matches "subject" "${pattern}" { fileinto "Literal"; }
