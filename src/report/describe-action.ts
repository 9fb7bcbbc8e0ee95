/** One line per action, for people (the JSON form is the action object itself). */
import type { Action } from '../runtime/actions.js';
import { assertNever } from '../runtime/errors.js';

function flags(list: readonly string[]): string {
  return list.length ? ` flags ${list.join(' ')}` : '';
}

function oneLine(text: string, max = 60): string {
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export function describeAction(a: Action): string {
  switch (a.type) {
    case 'keep':
      return `keep${a.implicit ? ' (implicit)' : ''}${flags(a.flags)}`;
    case 'fileinto':
      return `fileinto ${a.account ? `${a.account}:` : ''}"${a.mailbox}"${a.copy ? ' :copy' : ''}${a.create ? ' :create' : ''}${flags(a.flags)}`;
    case 'redirect':
      return `redirect to <${a.address}>${a.copy ? ' :copy' : ''}`;
    case 'discard':
      return 'discard';
    case 'reject':
    case 'ereject':
      return `${a.type}: ${oneLine(a.reason)}`;
    case 'vacation': {
      const period = a.days !== undefined ? `${a.days} day${a.days === 1 ? '' : 's'}` : `${a.seconds} s`;
      return `vacation reply (once per ${period})${a.subject ? ` subject "${oneLine(a.subject, 40)}"` : ''}: ${oneLine(a.reason)}`;
    }
    case 'notify':
      return `notify ${a.method}${a.message ? ` "${oneLine(a.message)}"` : ''}${a.importance !== 2 ? ` importance ${a.importance}` : ''}`;
    case 'pipe':
      return `pipe to ${a.program}${a.args.length ? ` ${a.args.map((x) => JSON.stringify(x)).join(' ')}` : ''}${a.copy ? ' :copy' : ''}`;
    default:
      return assertNever(a);
  }
}
