require "ihave";
if ihave "vacation" { vacation "Away (ihave)."; }
