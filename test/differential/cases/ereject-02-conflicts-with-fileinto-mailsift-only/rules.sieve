require ["ereject", "fileinto"];
fileinto "Work";
ereject "no";
