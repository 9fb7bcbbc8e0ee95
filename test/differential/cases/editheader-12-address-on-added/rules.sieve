require ["editheader", "fileinto"];
addheader "Reply-To" "Helpdesk <help@example.com>";
if address :domain :is "reply-to" "example.com" { fileinto "AddressSeen"; }
