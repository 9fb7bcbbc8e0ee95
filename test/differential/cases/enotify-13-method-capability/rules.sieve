require ["enotify", "fileinto"];
if notify_method_capability "mailto:bob@example.com" "online" "maybe" { fileinto "Maybe"; }
if notify_method_capability "mailto:bob@example.com" "online" "yes" { fileinto "Yes"; }
