require ["body", "fileinto"];
if body :text :contains "<b>" { fileinto "TextHasTags"; }
if body :text :contains "the spring sale starts" { fileinto "TextStripped"; }
