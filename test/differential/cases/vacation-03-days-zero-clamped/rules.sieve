require "vacation";
vacation :days 0 "Back soon.";
