require ["body", "fileinto"];
if body :content "text/html" :contains "<b>spring sale</b>" { fileinto "HtmlTags"; }
if body :content "text/html" :contains "Café news: the" { fileinto "HtmlText"; }
