require ["variables", "reject"];
set "who" "Bob";
reject text:
Dear ${who},
this address is closed.
.
;
