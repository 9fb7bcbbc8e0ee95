require ["body", "fileinto"];
if body :text :contains "Café news" { fileinto "Latin1Decoded"; }
if body :text :contains "long enough to need a soft line break" { fileinto "SoftBreak"; }
