require ["virustest", "variables", "fileinto"];
if virustest :matches "*" { fileinto "Virus-${1}"; }
