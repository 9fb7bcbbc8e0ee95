require "fileinto";
# Pigeonhole 0.5.19: before the first "*", a "?" matches any run of characters (even none).
if header :matches "subject" "??eeting*" { fileinto "TwoBeforeOne"; }
if header :matches "subject" "M?ting*" { fileinto "QuestionSpansTwo"; }
if header :matches "subject" "Meeting??tomorrow*" { fileinto "TwoForOneSpace"; }
