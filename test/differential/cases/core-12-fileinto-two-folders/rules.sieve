require "fileinto";
fileinto "Work";
fileinto "Archive/2024";
