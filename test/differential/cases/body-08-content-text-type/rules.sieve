require ["body", "fileinto"];
if body :content "text" :contains "spring sale" { fileinto "AnyText"; }
if body :content "text/plain" :contains "<b>" { fileinto "PlainHasTag"; }
if body :content "application/pdf" :contains "PDF" { fileinto "Pdf"; }
