require "vacation";
vacation :handle "summer-2024" "Away for the summer.";
