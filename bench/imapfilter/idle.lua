-- Latency reference: IDLE on one mailbox (INBOX), and on every wake-up move the messages a
-- rule matches to another mailbox, as the imapfilter manual's enter_idle() example does.
-- BENCH_WAKEUPS bounds the loop; the runner also kills the process when it is done.
dofile(os.getenv('BENCH_IMAPFILTER_DIR') .. '/common.lua')

local account = bench_account()
local subject = os.getenv('BENCH_PROBE_SUBJECT')
local target = os.getenv('BENCH_TARGET')
local wakeups = tonumber(os.getenv('BENCH_WAKEUPS') or '100')

for i = 1, wakeups do
    local results = account.INBOX:contain_subject(subject)
    results:move_messages(account[target])
    if not account.INBOX:enter_idle() then
        error('the server does not support IDLE')
    end
end
