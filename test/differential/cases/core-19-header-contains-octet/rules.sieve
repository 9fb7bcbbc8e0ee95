require "fileinto";
if header :comparator "i;octet" :contains "subject" "Q2" { fileinto "Q2"; }
if header :comparator "i;octet" :contains "subject" "q2" { fileinto "lower"; }
