require ["environment", "fileinto"];
if environment :is "name" "Pigeonhole Sieve" { fileinto "Pigeonhole"; }
