require ["vnd.dovecot.execute", "variables", "fileinto"];
execute :output "1" "prog";
