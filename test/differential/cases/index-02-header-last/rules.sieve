require ["index", "fileinto"];
if header :index 1 :last :contains "received" "laptop.example.org" { fileinto "LastIsLaptop"; }
if header :index 1 :contains "received" "laptop.example.org" { fileinto "FirstIsLaptop"; }
