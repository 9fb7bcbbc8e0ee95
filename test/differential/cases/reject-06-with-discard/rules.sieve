require "reject";
reject "no";
discard;
