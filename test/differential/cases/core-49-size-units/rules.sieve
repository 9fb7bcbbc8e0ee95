require "fileinto";
if size :under 1M { fileinto "M"; }
if size :under 1G { fileinto "G"; }
if size :over 0k { fileinto "k"; }
