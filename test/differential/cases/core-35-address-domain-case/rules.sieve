require "fileinto";
if address :domain :is "cc" "EXAMPLE.ORG" { fileinto "CcOrg"; }
if address :domain :comparator "i;octet" :is "cc" "EXAMPLE.ORG" { fileinto "Octet"; }
