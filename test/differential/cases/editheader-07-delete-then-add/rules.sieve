require ["editheader", "fileinto"];
deleteheader "subject";
addheader "Subject" "Rewritten";
if header :is "subject" "Rewritten" { fileinto "Rewritten"; }
