require ["vacation", "fileinto"];
vacation :days 2 "Away.";
fileinto "Work";
