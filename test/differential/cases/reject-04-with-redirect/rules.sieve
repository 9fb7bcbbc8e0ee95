require "reject";
redirect "archive@example.net";
reject "no";
