require ["subaddress", "fileinto"];
if address :user :is "to" "multi" { fileinto "UserFirst"; }
if address :detail :is "to" "a+b" { fileinto "DetailRest"; }
if address :user :is "to" "multi+a" { fileinto "UserLast"; }
