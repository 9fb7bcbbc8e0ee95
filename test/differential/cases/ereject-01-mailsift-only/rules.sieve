require "ereject";
ereject "Mailbox full";
