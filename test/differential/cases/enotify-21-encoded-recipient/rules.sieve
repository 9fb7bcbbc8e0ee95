require "enotify";
notify "mailto:bob%40example.com";
