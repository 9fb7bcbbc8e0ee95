require ["reject", "encoded-character"];
reject text:
Sorry ${hex:21}
.
;
