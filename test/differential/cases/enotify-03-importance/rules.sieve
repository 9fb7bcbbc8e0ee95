require "enotify";
notify :importance "1" "mailto:boss@example.com";
notify :importance "3" "mailto:intern@example.com";
