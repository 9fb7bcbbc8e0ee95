require ["vnd.dovecot.execute", "variables", "fileinto"];
if execute "nosuch" { fileinto "T"; } else { fileinto "F"; }
