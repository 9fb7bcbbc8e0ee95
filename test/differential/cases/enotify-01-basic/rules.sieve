require "enotify";
notify "mailto:bob@example.com";
