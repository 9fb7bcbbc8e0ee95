require ["vnd.dovecot.execute", "variables", "fileinto"];
execute "bin/prog";
