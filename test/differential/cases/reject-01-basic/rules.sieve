require "reject";
reject "We do not accept mail from you.";
