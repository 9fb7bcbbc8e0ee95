require "fileinto";
if header :is "subject" "Grüße aus München and a folded continuation line" { fileinto "Unfolded"; }
