require ["vnd.dovecot.execute", "variables", "fileinto"];
fileinto "before";
execute "nosuch";
fileinto "after";
