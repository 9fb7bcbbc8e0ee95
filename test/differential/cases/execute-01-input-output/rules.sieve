require ["vnd.dovecot.execute", "variables", "fileinto"];
if execute :input "hello ${x}world" :output "out" "upper" {
  fileinto "Got-${out}";
}
