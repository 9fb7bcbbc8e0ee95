require ["environment", "fileinto"];
if environment :contains "remote-host" "" { fileinto "Set"; } else { fileinto "Unset"; }
