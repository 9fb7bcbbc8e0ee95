require "enotify";
notify :message "discarded" "mailto:bob@example.com";
discard;
