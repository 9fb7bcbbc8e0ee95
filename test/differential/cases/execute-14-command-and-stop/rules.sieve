require ["vnd.dovecot.execute", "variables", "fileinto"];
execute :input "ignored" "reader";
execute "exits-1";
keep;
