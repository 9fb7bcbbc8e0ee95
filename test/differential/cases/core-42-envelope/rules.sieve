require ["envelope", "fileinto"];
if envelope :is "from" "alice@example.org" { fileinto "FromAlice"; }
if envelope :is "to" "bob@example.com" { fileinto "ToBob"; }
