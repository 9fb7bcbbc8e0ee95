require "enotify";
notify "mailto:bob@example.com?cc=carol@example.org&body=You%20have%20mail";
