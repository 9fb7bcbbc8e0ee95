require "fileinto";
if true {
  if header :contains "subject" "budget" {
    fileinto "Inner";
    stop;
  }
  fileinto "NotReached";
}
fileinto "AlsoNot";
