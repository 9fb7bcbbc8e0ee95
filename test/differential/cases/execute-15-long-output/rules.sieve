require ["vnd.dovecot.execute", "variables", "fileinto"];
execute :output "o" "long";
set :length "n" "${o}";
fileinto "length-${n}";
