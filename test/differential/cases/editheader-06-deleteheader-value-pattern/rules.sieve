require ["editheader", "fileinto"];
deleteheader :contains "received" "laptop";
if header :contains "received" "laptop" { fileinto "StillThere"; }
if header :contains "received" "mail.example.com" { fileinto "OtherKept"; }
