require "vacation";
vacation :subject "Out of office" :from "bob@example.com" "I am out.";
