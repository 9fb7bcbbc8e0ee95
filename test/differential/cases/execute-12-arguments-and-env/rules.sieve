require ["vnd.dovecot.execute", "variables", "fileinto"];
if execute :output "o" "args" ["a b", "*", "$HOME", "", "${x}"] {
  if string :is "${o}" "5:a b|*|$HOME|||" { fileinto "args-as-given"; }
}
if execute :output "e" "env" { fileinto "env-${e}"; }
