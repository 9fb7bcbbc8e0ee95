require "enotify";
notify "sms:+15555550100";
