require ["editheader", "index", "fileinto"];
deleteheader :index 1 "received";
if header :index 1 :contains "received" "laptop.example.org" { fileinto "FirstWasDeleted"; }
