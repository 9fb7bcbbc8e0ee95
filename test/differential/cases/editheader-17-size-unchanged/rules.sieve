require ["editheader", "fileinto"];
addheader "X-Padding" "0123456789012345678901234567890123456789";
if size :over 886 { fileinto "Grew"; }
