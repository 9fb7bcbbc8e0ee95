require "vacation";
vacation :days 365 "Back next year.";
