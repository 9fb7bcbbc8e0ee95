require "editheader";
addheader "" "value";
