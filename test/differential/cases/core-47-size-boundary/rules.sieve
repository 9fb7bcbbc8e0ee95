require "fileinto";
if size :over 886 { fileinto "Over"; }
if size :under 886 { fileinto "Under"; }
if size :over 885 { fileinto "OverMinus1"; }
if size :under 887 { fileinto "UnderPlus1"; }
