require "fileinto";
if address :all :is "bcc" "empty-group:;" { fileinto "RawGroup"; }
if address :all :contains "bcc" "" { fileinto "AnyAll"; }
if exists "bcc" { fileinto "Exists"; }
