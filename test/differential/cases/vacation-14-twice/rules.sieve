require "vacation";
vacation "First.";
vacation "Second.";
