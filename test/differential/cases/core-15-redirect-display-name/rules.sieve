redirect "Archive Box <archive@example.net>";
