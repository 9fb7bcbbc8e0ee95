require ["date", "relational", "fileinto"];
if date :zone "+0000" :value "ge" "date" "date" "2024-03-19" { fileinto "OnOrAfter19UTC"; }
if date :originalzone :value "lt" "date" "date" "2024-03-19" { fileinto "Before19Local"; }
