require "editheader";
addheader "X Bad Name" "value";
