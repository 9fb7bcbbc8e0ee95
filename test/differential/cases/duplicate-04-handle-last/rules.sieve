require ["duplicate", "fileinto"];
if duplicate :handle "h" :last { fileinto "Dup"; } else { fileinto "NotDup"; }
