require "fileinto";
if exists "x-mailer" { fileinto "A"; }
if exists ["from", "to", "x-nope"] { fileinto "B"; }
if exists ["From", "DATE"] { fileinto "C"; }
