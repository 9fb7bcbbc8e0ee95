require "vacation";
vacation :days 3 "Back soon.";
