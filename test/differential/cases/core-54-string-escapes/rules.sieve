require "fileinto";
fileinto "Quote\"Back\\slash\x";
