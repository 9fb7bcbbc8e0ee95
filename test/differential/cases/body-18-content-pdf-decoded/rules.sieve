require ["body", "fileinto"];
if body :content "application/pdf" :contains "%PDF-1.4" { fileinto "Decoded"; }
if body :content "application/pdf" :contains "JVBERi0" { fileinto "StillBase64"; }
