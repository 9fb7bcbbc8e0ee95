require "fileinto";
if header :contains "subject" "budget" {
  fileinto "CRLF";
}
