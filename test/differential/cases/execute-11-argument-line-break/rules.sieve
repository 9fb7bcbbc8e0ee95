require ["vnd.dovecot.execute", "variables", "fileinto"];
set "a" text:
two
lines
.
;
fileinto "before";
if execute "prog" "${a}" { fileinto "T"; } else { fileinto "F"; }
