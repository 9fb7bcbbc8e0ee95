require ["variables", "fileinto"];
set "folder" "Projects";
fileinto "${folder}/Alpha";
