require "fileinto";
if address :domain :is "reply-to" "example.org" { fileinto "Casemap"; }
if address :all :comparator "i;octet" :is "reply-to" "support@EXAMPLE.org" { fileinto "Octet"; }
