require ["reject", "copy"];
redirect :copy "archive@example.net";
reject "no";
