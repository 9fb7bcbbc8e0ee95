-- The "anything new?" pass over every mailbox, as imapfilter users write it: list the
-- mailboxes, then ask each one for its new (unseen) messages and act on them. Nothing is new
-- during the bench, so the actions never run; what is measured is what the pass costs.
--
-- BENCH_PASSES (default 1): passes in one session. The runner takes the cost of one pass in a
-- long-running session as cost(2 passes) - cost(1 pass), and of a cron-style run as cost(1).
-- BENCH_CHECK: is_unseen (default), is_new, select_all, or check_status (STATUS instead of
-- SELECT + SEARCH: the cheapest imapfilter idiom, "search only when the counts say so").
dofile(os.getenv('BENCH_IMAPFILTER_DIR') .. '/common.lua')

local account = bench_account()
local passes = tonumber(os.getenv('BENCH_PASSES') or '1')
local how = os.getenv('BENCH_CHECK') or 'is_unseen'

local mailboxes = account:list_all('', '*')
local found = 0
for pass = 1, passes do
    for _, name in ipairs(mailboxes) do
        local box = account[name]
        local results = {}
        if how == 'check_status' then
            local _, recent, _, _ = box:check_status()
            if recent > 0 then results = box:is_new() end
        elseif how == 'is_new' then
            results = box:is_new()
        elseif how == 'select_all' then
            results = box:select_all()
        else
            results = box:is_unseen()
        end
        -- A rule would act on the results here, e.g.
        --   (results * box:contain_subject('[urgent]')):move_messages(account['Urgent'])
        found = found + #results
    end
end
print('mailboxes ' .. #mailboxes .. ' passes ' .. passes .. ' results ' .. found)
