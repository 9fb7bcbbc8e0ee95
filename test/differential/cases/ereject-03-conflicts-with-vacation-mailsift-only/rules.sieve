require ["ereject", "vacation"];
vacation "away";
ereject "no";
