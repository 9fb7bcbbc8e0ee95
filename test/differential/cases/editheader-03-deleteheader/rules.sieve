require ["editheader", "fileinto"];
deleteheader "x-mailer";
if not exists "x-mailer" { fileinto "Gone"; }
