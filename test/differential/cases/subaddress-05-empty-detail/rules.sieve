require ["subaddress", "fileinto"];
if address :detail :is "to" "" { fileinto "EmptyDetail"; }
if address :user :is "to" "eve" { fileinto "EveUser"; }
