require ["variables", "fileinto"];
if header :matches "subject" "Meeting * about the * budget" {
  fileinto "${1}-${2}";
}
