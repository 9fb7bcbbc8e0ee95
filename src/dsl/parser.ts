/**
 * The generic Sieve grammar (RFC 5228 §8.2), one chevrotain parser for the process.
 *
 *   start       = commands
 *   commands    = *command
 *   command     = identifier arguments ( ";" / block )
 *   block       = "{" commands "}"
 *   arguments   = *argument [ test / test-list ]
 *   argument    = string-list / number / tag
 *   string-list = "[" string *("," string) "]" / string
 *   string      = quoted-string / multi-line
 *   test-list   = "(" test *("," test) ")"
 *   test        = identifier arguments
 */
import { CstParser, type CstNode, type IToken } from 'chevrotain';
import * as T from './tokens.js';

class SieveParser extends CstParser {
  constructor() {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 2 });
    this.performSelfAnalysis();
  }

  start = this.RULE('start', () => {
    this.MANY(() => this.SUBRULE(this.command));
  });

  command = this.RULE('command', () => {
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.arguments);
    this.OR([{ ALT: () => this.CONSUME(T.Semicolon) }, { ALT: () => this.SUBRULE(this.block) }]);
  });

  block = this.RULE('block', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => this.SUBRULE(this.command));
    this.CONSUME(T.RCurly);
  });

  arguments = this.RULE('arguments', () => {
    this.MANY(() => this.SUBRULE(this.argument));
    this.OPTION(() => {
      this.OR([{ ALT: () => this.SUBRULE(this.test) }, { ALT: () => this.SUBRULE(this.testList) }]);
    });
  });

  argument = this.RULE('argument', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.stringList) },
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.Tag) },
    ]);
  });

  stringList = this.RULE('stringList', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LBracket);
          this.SUBRULE(this.string);
          this.MANY(() => {
            this.CONSUME(T.Comma);
            this.SUBRULE2(this.string);
          });
          this.CONSUME(T.RBracket);
        },
      },
      { ALT: () => this.SUBRULE3(this.string) },
    ]);
  });

  string = this.RULE('string', () => {
    this.OR([{ ALT: () => this.CONSUME(T.QuotedString) }, { ALT: () => this.CONSUME(T.MultiLine) }]);
  });

  testList = this.RULE('testList', () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.test);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.test);
    });
    this.CONSUME(T.RParen);
  });

  test = this.RULE('test', () => {
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.arguments);
  });
}

/** Built once: self-analysis is expensive, resetting `input` is not. */
export const sieveParser = new SieveParser();

export interface ParseOutput {
  readonly cst: CstNode;
  readonly errors: ReadonlyArray<{ message: string; token: IToken; previousToken?: IToken }>;
}

export function parseTokens(tokens: IToken[]): ParseOutput {
  sieveParser.input = tokens;
  const cst = sieveParser.start();
  const errors = sieveParser.errors.map((e) => ({ message: e.message, token: e.token, previousToken: (e as { previousToken?: IToken }).previousToken }));
  return { cst, errors };
}
