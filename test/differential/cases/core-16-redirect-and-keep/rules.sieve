redirect "archive@example.net";
keep;
