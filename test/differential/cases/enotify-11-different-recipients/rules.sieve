require "enotify";
notify "mailto:bob@example.com";
notify "mailto:carol@example.org";
