require ["body", "fileinto"];
if body :contains "viele Grüße" { fileinto "Utf8"; }
