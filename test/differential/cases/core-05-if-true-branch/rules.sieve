require "fileinto";
if header :contains "subject" "budget" {
  fileinto "Finance";
} elsif header :contains "subject" "meeting" {
  fileinto "Meetings";
} else {
  fileinto "Other";
}
