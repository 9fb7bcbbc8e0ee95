require "vacation";
vacation text:
I am away.
Please contact carol@example.org.
.
;
