require ["envelope", "fileinto"];
if envelope :domain :is "from" "example.org" { fileinto "Org"; }
if envelope :localpart :comparator "i;octet" :is "from" "Sender.Name" { fileinto "Exact"; }
