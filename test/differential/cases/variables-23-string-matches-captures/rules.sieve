require ["variables", "fileinto"];
set "addr" "team-sales@example.com";
if string :matches "${addr}" "team-*@*" { fileinto "${1}"; }
