require ["imap4flags", "fileinto"];
addflag "First";
fileinto "One";
addflag "Second";
fileinto "Two";
