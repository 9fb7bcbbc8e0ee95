require "copy";
redirect :copy "archive@example.net";
redirect "archive@example.net";
