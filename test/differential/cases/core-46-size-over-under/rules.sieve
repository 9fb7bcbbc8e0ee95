require "fileinto";
if size :over 800 { fileinto "Over800"; }
if size :under 1K { fileinto "Under1K"; }
if size :over 1K { fileinto "Over1K"; }
