require "fileinto";
if header :contains "received" "[192.0.2.20]) by mail.example.com" { fileinto "Space"; }
if header :contains "received" "[192.0.2.20])	by mail.example.com" { fileinto "Tab"; }
