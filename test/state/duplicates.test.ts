import { describe, expect, it } from 'vitest';
import { openState } from '../../src/state/db.js';
import { tempDir } from './helpers/tmp.js';

describe('duplicates (RFC 7352)', () => {
  const d = openState(tempDir()).duplicates;
  const t0 = 1_700_000_000_000;

  it('has seen an id only after remember, until it expires', () => {
    expect(d.seen('<a@x>', '', t0)).toBe(false);
    d.remember('<a@x>', '', 60, t0);
    expect(d.seen('<a@x>', '', t0)).toBe(true);
    expect(d.seen('<a@x>', '', t0 + 59_999)).toBe(true);
    expect(d.seen('<a@x>', '', t0 + 60_000)).toBe(false);
  });

  it('keeps handles apart', () => {
    d.remember('<b@x>', 'lists', 60, t0);
    expect(d.seen('<b@x>', 'lists', t0)).toBe(true);
    expect(d.seen('<b@x>', '', t0)).toBe(false);
  });

  it('replaces the expiry on a second remember (the runtime only asks for it with :last or after expiry)', () => {
    d.remember('<c@x>', '', 60, t0);
    d.remember('<c@x>', '', 60, t0 + 50_000);
    expect(d.seen('<c@x>', '', t0 + 100_000)).toBe(true);
    expect(d.seen('<c@x>', '', t0 + 110_000)).toBe(false);
  });

  it('purges expired ids only', () => {
    d.remember('<old@x>', 'p', 1, t0);
    d.remember('<new@x>', 'p', 3600, t0);
    expect(d.purgeExpired(t0 + 10_000)).toBeGreaterThanOrEqual(1);
    expect(d.seen('<new@x>', 'p', t0 + 10_000)).toBe(true);
    expect(d.purgeExpired(t0 + 10_000)).toBe(0);
  });
});
