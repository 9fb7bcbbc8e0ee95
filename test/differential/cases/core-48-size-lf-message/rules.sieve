require "fileinto";
if size :under 317 { fileinto "Under317"; }
if size :over 315 { fileinto "Over315"; }
