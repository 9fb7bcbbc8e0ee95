require ["subaddress", "fileinto"];
if address :detail :is "to" "lists" { fileinto "Lists"; }
if address :detail :is "from" "sender" { fileinto "FromDetail"; }
