require ["vnd.dovecot.execute", "variables", "fileinto"];
if execute "exits" "0" { fileinto "zero"; }
if execute "exits" "3" { fileinto "three"; } else { fileinto "not-three"; }
set "v" "old";
execute :output "v" "exits" "4";
fileinto "after-${v}";
if execute :output "v" "exits" "0" { fileinto "now-${v}"; }
