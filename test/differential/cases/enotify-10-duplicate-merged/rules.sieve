require "enotify";
notify :message "one" "mailto:bob@example.com";
notify :message "two" "mailto:bob@example.com";
