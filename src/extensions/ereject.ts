/**
 * ereject: RFC 5429 §2.1. `ereject <reason>` refuses the message at SMTP time
 * (the host answers the RCPT/DATA with a 5xx and the reason) instead of sending a
 * refusal afterwards; where no SMTP transaction is open the host treats it as
 * reject. Same conflicts as reject (result.ts). Pigeonhole 0.5.19 does not know
 * ereject at all; this follows the RFC. Status: complete.
 */
import { defineExtension } from './define.js';
import { rejectCommand } from './reject.js';

export const ereject = defineExtension({
  name: 'ereject',
  spec: 'RFC 5429 §2.1',
  commands: { ereject: rejectCommand('ereject') },
});
