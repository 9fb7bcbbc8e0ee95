require "enotify";
notify "mailto:bob@example.com,carol@example.org";
