-- Memory reference: BENCH_ACCOUNTS accounts (the same server user, like mailsift's memory
-- run), each looked at once as check.lua does (every mailbox: is_unseen), then IDLE on the
-- first account's INBOX, where the runner reads the process's RSS.
dofile(os.getenv('BENCH_IMAPFILTER_DIR') .. '/common.lua')

local count = tonumber(os.getenv('BENCH_ACCOUNTS') or '1')
local accounts = {}
for i = 1, count do
    accounts[i] = bench_account()
end
for _, account in ipairs(accounts) do
    local mailboxes = account:list_all('', '*')
    for _, name in ipairs(mailboxes) do
        local _ = account[name]:is_unseen()
    end
end
-- Bounded: the runner kills the process once it has measured it.
for _ = 1, 10 do
    accounts[1].INBOX:enter_idle()
end
