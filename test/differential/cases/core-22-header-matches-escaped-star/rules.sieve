require "fileinto";
if header :matches "subject" "*\\**" { fileinto "HasStar"; }
if header :matches "subject" "*Q2*" { fileinto "HasQ2"; }
