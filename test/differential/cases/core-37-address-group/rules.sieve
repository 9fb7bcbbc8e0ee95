require "fileinto";
if address :is "to" "bob@example.com" { fileinto "InGroup"; }
if address :is "to" "mallory@example.net" { fileinto "AfterGroup"; }
if address :contains "to" "project" { fileinto "GroupName"; }
