require "fileinto";
if header :contains "subject" "invoice" {
  fileinto "Finance";
} elsif header :contains "subject" "MEETING" {
  fileinto "Meetings";
} else {
  fileinto "Other";
}
