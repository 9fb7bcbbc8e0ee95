require "vacation";
vacation :subject "Abwesenheitsnotiz: Grüße" "Bin weg.";
