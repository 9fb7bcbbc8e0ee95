require "enotify";
notify "mailto:bob@example.com?subject=From%20the%20URI";
