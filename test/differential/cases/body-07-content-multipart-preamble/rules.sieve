require ["body", "fileinto"];
if body :content "multipart" :contains "preamble" { fileinto "Preamble"; }
if body :content "multipart" :contains "epilogue" { fileinto "Epilogue"; }
if body :content "multipart" :contains "spring sale" { fileinto "Children"; }
