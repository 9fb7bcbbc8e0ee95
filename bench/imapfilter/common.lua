-- Shared by the imapfilter bench configs: the account from the environment the runner
-- (bench/imap-imapfilter.ts) sets. Plain IMAP to a loopback proxy, as `ssl` is left out.
options.timeout = 60
options.info = false
options.create = false
options.subscribe = false
options.starttls = false
options.certificates = false

function bench_account()
    return IMAP {
        server = '127.0.0.1',
        port = tonumber(os.getenv('BENCH_IMAP_PORT')),
        username = os.getenv('BENCH_IMAP_USER'),
        password = os.getenv('BENCH_IMAP_PASSWORD'),
    }
end
