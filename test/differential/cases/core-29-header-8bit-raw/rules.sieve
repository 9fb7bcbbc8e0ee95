require "fileinto";
if header :is "x-raw-8bit" "Grüße roh" { fileinto "EightBit"; }
