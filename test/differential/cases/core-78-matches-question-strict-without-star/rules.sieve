require "fileinto";
if header :matches "subject" "?eeting tomorrow about the Q2 budget" { fileinto "Exact"; }
if header :matches "subject" "??eeting tomorrow about the Q2 budget" { fileinto "TooMany"; }
if header :matches "subject" "*Q2??budget" { fileinto "AfterStar"; }
