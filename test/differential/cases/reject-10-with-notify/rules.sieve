require ["reject", "enotify"];
notify :message "rejected one" "mailto:postmaster@example.com";
reject "no";
