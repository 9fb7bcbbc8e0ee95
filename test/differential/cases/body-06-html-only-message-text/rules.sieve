require ["body", "fileinto"];
if body :text :contains "<p>" { fileinto "Tags"; }
if body :text :contains "Your order #77 has shipped" { fileinto "Stripped"; }
if body :text :contains "color: red" { fileinto "Style"; }
if body :text :contains "XY&Z" { fileinto "EntityDecoded"; }
if body :text :contains "Tracking code" { fileinto "Nbsp"; }
