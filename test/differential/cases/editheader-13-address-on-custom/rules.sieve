require "editheader";
addheader "X-Foo" "a@example.com";
if address :is "x-foo" "a@example.com" { discard; }
