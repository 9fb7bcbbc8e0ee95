/** The [notify] and [pipe] sections: defaults, values, problems. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { printConfig } from '../../src/config/print.js';

const parse = (text: string) => parseConfig(text, '/tmp/mailsift-test/config.toml', { env: {} });

describe('[notify]', () => {
  it('fills in the defaults', () => {
    expect(parse('[notify]\n').config?.notify).toEqual({ maxPerHour: 60, smsMaxPerHour: 10, dedupWindowMs: 600_000 });
  });

  it('reads every key, and prints them back', () => {
    const r = parse('[notify]\nmax_per_hour = 20\nsms_max_per_hour = 5\ndedup_window = "15m"\nquiet_hours = "22:30-07:00"\ntimezone = "Europe/Berlin"\n');
    expect(r.config?.notify).toEqual({ maxPerHour: 20, smsMaxPerHour: 5, dedupWindowMs: 900_000, quietHours: { startMinute: 1350, endMinute: 420 }, timezone: 'Europe/Berlin' });
    expect(printConfig(r.config!)).toContain('[notify]\nmax_per_hour = 20\nsms_max_per_hour = 5\ndedup_window = "15m"\nquiet_hours = "22:30-07:00"\ntimezone = "Europe/Berlin"');
  });

  it.each([
    ['quiet_hours = "22-7"', 'invalid-value', 'notify.quiet_hours'],
    ['quiet_hours = "08:00-08:00"', 'invalid-value', 'notify.quiet_hours'],
    ['timezone = "Mars/Olympus"', 'invalid-value', 'notify.timezone'],
    ['sms_max_per_hour = 0', 'out-of-range', 'notify.sms_max_per_hour'],
    ['dedup_window = "soon"', 'invalid-duration', 'notify.dedup_window'],
    ['rate = 5', 'unknown-key', 'notify.rate'],
  ])('%s is a problem', (line, code, key) => {
    expect(parse(`[notify]\n${line}\n`).problems).toEqual([expect.objectContaining({ code, key })]);
  });
});

describe('[pipe]', () => {
  it('needs dir; timeout and max_output have defaults', () => {
    expect(parse('[pipe]\ndir = "/usr/local/lib/mailsift"\n').config?.pipe).toEqual({ dir: '/usr/local/lib/mailsift', timeoutMs: 30_000, maxOutputBytes: 65_536 });
    expect(parse('[pipe]\n').problems).toEqual([expect.objectContaining({ key: 'pipe.dir' })]);
    expect(parse('[pipe]\ndir = "/x"\ntimeout = "5s"\nmax_output = "1KB"\n').config?.pipe).toEqual({ dir: '/x', timeoutMs: 5000, maxOutputBytes: 1024 });
  });
});
