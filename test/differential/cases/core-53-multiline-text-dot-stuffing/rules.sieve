require "reject";
reject text:
Your message was refused.
..leading dot kept once
.
;
