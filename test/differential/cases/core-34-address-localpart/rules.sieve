require "fileinto";
if address :localpart :is "to" "dave" { fileinto "Dave"; }
if address :localpart :is "to" "Bob Builder" { fileinto "Name"; }
