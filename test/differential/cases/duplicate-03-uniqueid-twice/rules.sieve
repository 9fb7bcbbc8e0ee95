require ["duplicate", "fileinto"];
if duplicate :uniqueid "x" { fileinto "A"; }
if duplicate :uniqueid "x" { fileinto "B"; }
