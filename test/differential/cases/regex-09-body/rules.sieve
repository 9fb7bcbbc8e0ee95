require ["regex", "body", "fileinto"];
if body :regex "at [0-9]{2}:[0-9]{2}" { fileinto "HasTime"; }
