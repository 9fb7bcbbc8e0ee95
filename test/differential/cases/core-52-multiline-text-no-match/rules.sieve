require "fileinto";
if header :contains "subject" text:
budget
.
{ fileinto "TextMatch"; }
