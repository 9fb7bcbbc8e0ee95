require "enotify";
notify "mailto:?to=bob@example.com&cc=dave@example.net";
