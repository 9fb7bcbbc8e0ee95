require "enotify";
notify :from "sieve@example.com" "mailto:bob@example.com";
