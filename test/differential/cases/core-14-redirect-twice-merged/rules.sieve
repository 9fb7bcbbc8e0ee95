redirect "archive@example.net";
redirect "archive@example.net";
