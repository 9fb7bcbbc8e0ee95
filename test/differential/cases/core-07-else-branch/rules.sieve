require "fileinto";
if header :contains "subject" "invoice" {
  fileinto "Finance";
} elsif header :contains "subject" "party" {
  fileinto "Fun";
} else {
  fileinto "Other";
}
