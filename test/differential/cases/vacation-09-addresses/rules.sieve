require "vacation";
vacation :addresses ["bob@example.com", "b.builder@example.com"] "Away.";
