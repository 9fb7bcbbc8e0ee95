require ["imap4flags", "variables", "fileinto"];
set "myflags" "";
addflag "myflags" ["A", "B"];
removeflag "myflags" "A";
fileinto :flags "${myflags}" "Work";
