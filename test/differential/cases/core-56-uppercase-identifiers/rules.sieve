REQUIRE "fileinto";
IF HEADER :CONTAINS "Subject" "budget" { FILEINTO "Upper"; }
