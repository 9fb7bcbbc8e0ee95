require ["vnd.dovecot.execute", "variables", "fileinto"];
set "p" "prog";
execute "${p}";
