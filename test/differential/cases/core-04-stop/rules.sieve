require "fileinto";
fileinto "Before";
stop;
fileinto "After";
