require ["editheader", "index", "fileinto"];
addheader "X-Order" "first-added";
addheader :last "X-Order" "last-added";
if header :index 1 :is "x-order" "first-added" { fileinto "TopFirst"; }
if header :index 1 :last :is "x-order" "last-added" { fileinto "LastAtEnd"; }
