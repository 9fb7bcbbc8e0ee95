require "enotify";
notify :options ["x-foo=bar"] "mailto:bob@example.com";
