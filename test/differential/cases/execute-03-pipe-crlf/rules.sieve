require ["vnd.dovecot.execute", "variables", "fileinto"];
if execute :pipe :output "n" "bytes" { fileinto "bytes-${n}"; }
if execute :pipe :output "s" "subject" { fileinto "subject-${s}"; }
