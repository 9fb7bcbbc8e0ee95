require "fileinto";
if allof (header :contains "subject" "budget", address :domain :is "from" "example.org") { fileinto "Both"; }
if anyof (header :contains "subject" "nope", not exists "x-nope") { fileinto "Any"; }
if not anyof (false, header :is "x-priority" "1") { fileinto "NotAny"; }
if allof (true, not true) { fileinto "Never"; }
