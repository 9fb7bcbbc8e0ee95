require ["editheader", "fileinto"];
addheader "Auto-Submitted" "auto-generated";
deleteheader "auto-submitted";
if exists "auto-submitted" { fileinto "StillThere"; }
