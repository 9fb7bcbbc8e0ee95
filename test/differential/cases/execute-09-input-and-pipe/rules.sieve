require ["vnd.dovecot.execute", "variables", "fileinto"];
execute :input "x" :pipe "prog";
