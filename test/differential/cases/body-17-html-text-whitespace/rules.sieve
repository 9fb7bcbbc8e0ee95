require ["body", "fileinto"];
if body :text :contains "#77  has" { fileinto "TwoSpacesAfterBold"; }
if body :text :contains "shipped. Tracking" { fileinto "ParagraphsJoined"; }
if body :text :contains "Your order #77 has" { fileinto "SingleSpace"; }
