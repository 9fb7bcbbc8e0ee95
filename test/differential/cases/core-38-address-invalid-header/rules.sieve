require "fileinto";
if address :all :is "cc" "not an address at all" { fileinto "RawAll"; }
if address :localpart :contains "cc" "not" { fileinto "Local"; }
if address :domain :contains "cc" "" { fileinto "Domain"; }
