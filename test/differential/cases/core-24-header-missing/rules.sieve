require "fileinto";
if header :contains "x-not-there" "" { fileinto "Present"; }
if not header :contains "x-not-there" "" { fileinto "Absent"; }
