require "fileinto";
if header :matches "subject" "[ops] *FAILED*" { fileinto "Alerts"; }
