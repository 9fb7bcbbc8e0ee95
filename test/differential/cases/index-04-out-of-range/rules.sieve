require ["index", "fileinto"];
if header :index 4 :contains "received" "" { fileinto "Four"; }
if header :index 3 :last :contains "received" "lists.example.org by mail" { fileinto "ThirdFromLast"; }
