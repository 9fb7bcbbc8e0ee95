require "fileinto";
if header :is "x-location" "MÜNCHEN" { fileinto "Upper"; }
if header :is "x-location" "münchen" { fileinto "Lower"; }
if header :is "x-location" "München" { fileinto "Exact"; }
