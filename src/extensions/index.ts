/**
 * Every extension mailsift knows, registered once. One line per extension file.
 */
import { copy } from './copy.js';
import { core } from './core.js';
import { encodedCharacter } from './encoded-character.js';
import { envelope } from './envelope.js';
import { fileinto } from './fileinto.js';
import { comparatorAsciiNumeric } from './comparator-i-ascii-numeric.js';
import { environment } from './environment.js';
import { ihaveExtension } from './ihave.js';
import { regex } from './regex.js';
import { relational } from './relational.js';
import { subaddress } from './subaddress.js';
import { variables } from './variables.js';
import { account } from './account.js';
import { duplicate } from './duplicate.js';
import { enotify } from './enotify.js';
import { ereject } from './ereject.js';
import { reject } from './reject.js';
import { spamtest, spamtestplus } from './spamtest.js';
import { vacationSeconds } from './vacation-seconds.js';
import { vacation } from './vacation.js';
import { virustest } from './virustest.js';
import { imap4flags } from './imap4flags.js';
import { mailbox } from './mailbox.js';
import { bodyExtension } from './body.js';
import { date } from './date.js';
import { index } from './index-ext.js';
import { editheader } from './editheader.js';
import { classify } from './classify.js';
import { vndDovecotPipe } from './vnd-dovecot-pipe.js';
import { vndDovecotExecute } from './vnd-dovecot-execute.js';
import { Registry } from './registry.js';

export const defaultRegistry = new Registry()
  .register(core)
  .register(reject)
  .register(ereject)
  .register(vacation)
  .register(vacationSeconds)
  .register(enotify)
  .register(duplicate)
  .register(spamtest)
  .register(spamtestplus)
  .register(virustest)
  .register(account)
  .register(variables)
  .register(relational)
  .register(comparatorAsciiNumeric)
  .register(regex)
  .register(subaddress)
  .register(ihaveExtension)
  .register(environment)
  .register(fileinto)
  .register(envelope)
  .register(encodedCharacter)
  .register(copy)
  .register(imap4flags)
  .register(mailbox)
  .register(bodyExtension)
  .register(date)
  .register(index)
  .register(editheader)
  .register(classify)
  .register(vndDovecotPipe)
  .register(vndDovecotExecute);
