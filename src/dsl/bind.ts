/**
 * Binding: matching one command's or test's generic arguments against the
 * signature its extension declared (RFC 5228 §2.6: tagged arguments first, then
 * positional ones). The result is a Call the extension lowers; every mismatch is a
 * diagnostic.
 */
import type { Argument, CommandNode, StringListArgument, TestNode } from './ast.js';
import type { Span } from './diagnostics.js';
import type { AddressPart, ArgKind, Bound, Call, LowerContext, Signature, TagSpec } from '../extensions/define.js';
import type { Owned, Registry } from '../extensions/registry.js';
import { DEFAULT_COMPARATOR, asciiCasemap, octet } from '../runtime/comparators.js';
import { is as matchIs } from '../runtime/match.js';
import type { MatchSpec } from '../runtime/runtime.js';
import type { Str } from '../runtime/strings.js';

export const RELATIONS = new Set(['gt', 'ge', 'lt', 'le', 'eq', 'ne']);

export const ALL_PART: AddressPart = { name: 'all', extract: (a) => a.address };
const LOCALPART: AddressPart = { name: 'localpart', extract: (a) => a.localPart };
const DOMAIN: AddressPart = { name: 'domain', extract: (a) => a.domain };
const CORE_PARTS = new Map<string, AddressPart>([['all', ALL_PART], ['localpart', LOCALPART], ['domain', DOMAIN]]);

type TagRole =
  | { readonly role: 'own'; readonly spec: TagSpec; readonly owner: string }
  | { readonly role: 'match'; readonly owner: string; readonly arg: boolean }
  | { readonly role: 'comparator' }
  | { readonly role: 'address-part'; readonly part: AddressPart; readonly owner: string };

export interface BindInput {
  readonly node: CommandNode | TestNode;
  readonly signature: Signature;
  readonly owner: string;
  readonly registry: Registry;
  readonly cx: LowerContext;
  /** Turns a literal into a Str (encoded-character, then variables). */
  readonly toStr: (value: string, span: Span) => Str;
}

function tagRole(input: BindInput, name: string): TagRole | undefined {
  const { signature, registry, node, owner } = input;
  const own = signature.tags?.[name];
  if (own) return { role: 'own', spec: own, owner };
  const extra = registry.tagsFor.get(node.name)?.get(name);
  if (extra) return { role: 'own', spec: extra.def, owner: extra.owner };
  if (signature.match) {
    if (name === 'comparator') return { role: 'comparator' };
    const mt = registry.matchTypes.get(name);
    if (mt) return { role: 'match', owner: mt.owner, arg: mt.def.arg === 'relation' };
  }
  if (signature.addressPart) {
    const core = CORE_PARTS.get(name);
    if (core) return { role: 'address-part', part: core, owner: '' };
    const ap = registry.addressParts.get(name);
    if (ap) return { role: 'address-part', part: ap.def, owner: ap.owner };
  }
  return undefined;
}

function kindOf(arg: Argument): ArgKind | 'tag' {
  if (arg.kind === 'tag' || arg.kind === 'number') return arg.kind;
  return arg.bracketed ? 'string-list' : 'string';
}

const KIND_NAMES: Record<ArgKind | 'tag', string> = { string: 'a string', 'string-list': 'a string list', number: 'a number', tag: 'a tag' };

export function bind(input: BindInput): Call | undefined {
  const { node, signature, cx } = input;
  const what = `${node.kind} "${node.name}"`;
  const tags = new Map<string, { value: Bound | true; span: Span }>();
  const groups = new Map<string, string>();
  let matchTag: { name: string; span: Span; relation?: Bound } | undefined;
  let comparatorArg: Bound | undefined;
  let part: AddressPart | undefined;
  let ok = true;
  const args = node.args;
  let i = 0;

  const takeArg = (kind: ArgKind, tag: string, tagSpan: Span): Bound | undefined => {
    const next = args[i];
    if (!next || next.kind === 'tag' || !accepts(kind, next)) {
      cx.error('missing-argument', next?.span ?? tagSpan, `tag :${tag} of ${what} needs ${KIND_NAMES[kind]} argument`);
      ok = false;
      return undefined;
    }
    i++;
    return toBound(next, input);
  };

  const claimGroup = (group: string, tag: string, span: Span): void => {
    const prev = groups.get(group);
    if (prev !== undefined) {
      cx.error(prev === tag ? 'duplicate-tag' : 'conflicting-tags', span, prev === tag ? `tag :${tag} given twice` : `tag :${tag} conflicts with :${prev}`);
      ok = false;
    }
    groups.set(group, tag);
  };

  while (i < args.length && args[i]!.kind === 'tag') {
    const t = args[i++] as Extract<Argument, { kind: 'tag' }>;
    const role = tagRole(input, t.name);
    if (!role) {
      cx.error('unknown-tag', t.span, `unknown tag :${t.name} for ${what}`);
      ok = false;
      continue;
    }
    const owner = role.role === 'comparator' ? '' : role.owner;
    if (owner && !cx.has(owner)) {
      cx.error('undeclared-capability', t.span, `tag :${t.name} needs require "${owner}"`);
      ok = false;
    }
    switch (role.role) {
      case 'own': {
        if (tags.has(t.name)) {
          cx.error('duplicate-tag', t.span, `tag :${t.name} given twice`);
          ok = false;
        }
        if (role.spec.group) claimGroup(role.spec.group, t.name, t.span);
        const value = role.spec.arg ? takeArg(role.spec.arg, t.name, t.span) : true;
        if (value) tags.set(t.name, { value, span: t.span });
        break;
      }
      case 'match':
        claimGroup('match-type', t.name, t.span);
        matchTag = { name: t.name, span: t.span, relation: role.arg ? takeArg('string', t.name, t.span) : undefined };
        break;
      case 'comparator':
        claimGroup('comparator', t.name, t.span);
        comparatorArg = takeArg('string', t.name, t.span);
        break;
      case 'address-part':
        claimGroup('address-part', t.name, t.span);
        part = role.part;
        break;
    }
  }

  // Positional arguments.
  const rest = args.slice(i);
  const strayTag = rest.find((a) => a.kind === 'tag');
  if (strayTag) {
    cx.error('bad-argument', strayTag.span, `tagged argument :${(strayTag as { name: string }).name} must come before the positional arguments of ${what}`);
    return undefined;
  }
  const specs = signature.positional;
  const required = specs.filter((s) => !s.optional).length;
  if (rest.length < required) {
    const missing = specs.filter((s) => !s.optional)[rest.length]!;
    cx.error('missing-argument', node.nameSpan, `${what} needs a ${missing.name} argument (${KIND_NAMES[missing.kind]})`);
    return undefined;
  }
  if (rest.length > specs.length) {
    cx.error('too-many-arguments', rest[specs.length]!.span, `${what} takes at most ${specs.length} positional argument${specs.length === 1 ? '' : 's'}`);
    return undefined;
  }
  let optionalLeft = rest.length - required;
  const positional: (Bound | undefined)[] = [];
  let r = 0;
  for (const spec of specs) {
    if (spec.optional) {
      if (optionalLeft <= 0) {
        positional.push(undefined);
        continue;
      }
      optionalLeft--;
    }
    const arg = rest[r++]!;
    if (!accepts(spec.kind, arg)) {
      cx.error('bad-argument', arg.span, `${spec.name} of ${what} must be ${KIND_NAMES[spec.kind]}, not ${KIND_NAMES[kindOf(arg)]}`);
      ok = false;
      positional.push(undefined);
      continue;
    }
    positional.push(toBound(arg, input));
  }

  const match = resolveMatch(input, matchTag, comparatorArg);
  if (!match) ok = false;
  if (match?.type.validateKey && !validateKeys(match, positional[positional.length - 1], cx)) ok = false;
  if (!ok || !match) return undefined;
  return {
    name: node.name,
    node,
    span: node.span,
    positional,
    tag: (name) => tags.get(name)?.value,
    tagSpan: (name) => tags.get(name)?.span,
    match,
    addressPart: part ?? ALL_PART,
  };
}

/** Constant keys checked by their match type (e.g. :regex patterns); keys are the last positional (RFC 5228 §2.7). */
function validateKeys(match: MatchSpec, keys: Bound | undefined, cx: LowerContext): boolean {
  let valid = true;
  for (const [i, key] of (keys?.list ?? []).entries()) {
    if (typeof key !== 'string') continue;
    const problem = match.type.validateKey!(key, match.comparator, cx.limits);
    if (!problem) continue;
    cx.error(problem.code, keys!.literals?.[i]?.span ?? keys!.span, problem.message);
    valid = false;
  }
  return valid;
}

function accepts(kind: ArgKind, arg: Argument): boolean {
  if (kind === 'number') return arg.kind === 'number';
  if (arg.kind !== 'string-list') return false;
  return kind === 'string-list' || !arg.bracketed;
}

function toBound(arg: Argument, input: BindInput): Bound {
  if (arg.kind === 'number') return { kind: 'number', span: arg.span, num: arg.value };
  const list = arg as StringListArgument;
  const strs = list.items.map((l) => input.toStr(l.value, l.span));
  return list.bracketed
    ? { kind: 'string-list', span: arg.span, list: strs, literals: list.items }
    : { kind: 'string', span: arg.span, str: strs[0], list: strs, literals: list.items };
}

function resolveMatch(input: BindInput, tag: { name: string; span: Span; relation?: Bound } | undefined, comparatorArg: Bound | undefined): MatchSpec | undefined {
  const { registry, cx } = input;
  let comparator = DEFAULT_COMPARATOR;
  if (comparatorArg) {
    const name = cx.constant(comparatorArg);
    if (name === undefined) return undefined;
    const found: Owned<typeof octet> | undefined =
      name === 'i;octet' ? { def: octet, owner: '' } : name === 'i;ascii-casemap' ? { def: asciiCasemap, owner: '' } : registry.comparators.get(name);
    if (!found) {
      cx.error('unknown-comparator', comparatorArg.span, `unknown comparator "${name}"`);
      return undefined;
    }
    if (found.owner && !cx.has(found.owner)) {
      cx.error('undeclared-capability', comparatorArg.span, `comparator "${name}" needs require "${found.owner}"`);
      return undefined;
    }
    comparator = found.def;
  }
  if (!tag) return { type: matchIs, comparator };
  // The tag was found in the registry when it was bound (tagRole), so it is there.
  const mt = input.registry.matchTypes.get(tag.name);
  if (!mt) return undefined;
  const type = mt.def.type;
  let relation: string | undefined;
  if (mt.def.arg === 'relation') {
    const rel = cx.constant(tag.relation);
    if (rel === undefined) return undefined;
    relation = rel.toLowerCase();
    if (!RELATIONS.has(relation)) {
      cx.error('invalid-value', tag.relation!.span, `relational operator "${rel}" is not one of gt, ge, lt, le, eq, ne`);
      return undefined;
    }
  }
  if (type.substring && !comparator.substring) {
    cx.error('unsupported-match', tag.span, `comparator "${comparator.name}" cannot be used with :${tag.name}`);
    return undefined;
  }
  return { type, comparator, relation };
}
