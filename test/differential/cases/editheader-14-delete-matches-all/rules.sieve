require ["editheader", "fileinto"];
deleteheader :matches "cc" "*";
if not exists "cc" { fileinto "NoCc"; }
