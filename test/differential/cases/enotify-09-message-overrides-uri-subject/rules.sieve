require "enotify";
notify :message "From :message" "mailto:bob@example.com?subject=From%20the%20URI";
