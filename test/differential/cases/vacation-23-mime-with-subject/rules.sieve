require "vacation";
vacation :mime :subject "Away" :from "Bob <bob@example.com>" text:
Content-Type: text/plain; charset=us-ascii

Away.
.
;
