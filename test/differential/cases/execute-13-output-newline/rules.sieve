require ["vnd.dovecot.execute", "variables", "fileinto"];
execute :output "o" "hello";
set :length "n" "${o}";
fileinto "length-${n}";
if string :is "${o}" "hello" { fileinto "trimmed"; }
