/**
 * vacation-seconds: RFC 6131. Adds `:seconds n` to vacation, excluding :days (both
 * sit in the tag group "period"); requiring it also enables vacation. vacation.ts
 * reads the tag; the minimum period (1 day unless the host lowers
 * `settings.vacation.minPeriod`) applies as in Pigeonhole, so `:seconds 0` and
 * `:seconds 10` both give 86400 there and here. Status: complete.
 */
import { defineExtension } from './define.js';

export const vacationSeconds = defineExtension({
  name: 'vacation-seconds',
  spec: 'RFC 6131',
  implies: ['vacation'],
  tagsFor: { vacation: { seconds: { arg: 'number', group: 'period' } } },
});
