require ["enotify", "variables"];
if header :matches "subject" "*" { set "s" "${1}"; }
notify :message "New mail: ${s}" "mailto:bob@example.com";
