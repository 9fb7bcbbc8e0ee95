require "reject";
reject text:
Line one
	Tabbed line two
.
;
