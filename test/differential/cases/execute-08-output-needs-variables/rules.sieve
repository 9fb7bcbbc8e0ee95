require ["vnd.dovecot.execute"];
execute :output "v" "prog";
