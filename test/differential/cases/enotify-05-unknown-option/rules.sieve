require "enotify";
notify :options ["bogus"] "mailto:bob@example.com";
