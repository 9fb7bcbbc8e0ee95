require ["body", "fileinto"];
if body :raw :contains "PGh0bWw+" { fileinto "RawBase64"; }
if body :raw :contains "spring sale" { fileinto "RawPlainQP"; }
if body :raw :contains "Caf=E9" { fileinto "RawQP"; }
