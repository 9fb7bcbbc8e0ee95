/**
 * mailsift's one error class for I/O and operational failures (user mistakes in
 * rules are diagnostics instead). Each error has a stable code from this table;
 * the message is one line that says what and where; `cause` is kept.
 */
export const ERROR_CODES = {
  RULES_UNREADABLE: 'a rules file cannot be read',
  RULES_INVALID: 'a rules file does not compile',
  SOURCE_UNREADABLE: 'a message source cannot be read',
  USAGE: 'the command line is wrong',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class MailsiftError extends Error {
  override readonly name = 'MailsiftError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
