require "fileinto";
if header :matches "x-priority" "?" { fileinto "OneChar"; }
if header :matches "x-priority" "??" { fileinto "TwoChars"; }
