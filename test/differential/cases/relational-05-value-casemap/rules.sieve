require ["relational", "fileinto"];
if header :value "gt" "subject" "ALPHA" { fileinto "AfterAlpha"; }
if header :value "lt" "subject" "zulu" { fileinto "BeforeZulu"; }
