/**
 * The extension registry: a map from names to definitions, built once. Adding an
 * extension is adding a file and one line to index.ts, never a change to the parser.
 */
import type { Comparator } from '../runtime/comparators.js';
import type { MatchType } from '../runtime/match.js';
import type { AddressPart, CommandDef, ExtensionDef, TagSpec, TestDef } from './define.js';

export interface Owned<T> {
  readonly def: T;
  /** The capability that must be required to use it; '' for core. */
  readonly owner: string;
}

export class Registry {
  readonly extensions = new Map<string, ExtensionDef>();
  readonly commands = new Map<string, Owned<CommandDef<any>>>();
  readonly tests = new Map<string, Owned<TestDef<any>>>();
  readonly tagsFor = new Map<string, Map<string, Owned<TagSpec>>>();
  readonly comparators = new Map<string, Owned<Comparator>>();
  readonly matchTypes = new Map<string, Owned<{ readonly type: MatchType; readonly arg?: 'relation' }>>();
  readonly addressParts = new Map<string, Owned<AddressPart>>();

  register(ext: ExtensionDef): this {
    if (this.extensions.has(ext.name)) throw new Error(`extension ${ext.name} registered twice`);
    this.extensions.set(ext.name, ext);
    const owner = ext.name;
    const put = <T>(map: Map<string, Owned<T>>, key: string, def: T): void => {
      if (map.has(key)) throw new Error(`${key} defined twice (by ${map.get(key)!.owner} and ${owner})`);
      map.set(key, { def, owner });
    };
    for (const [name, def] of Object.entries(ext.commands ?? {})) put(this.commands, name, def);
    for (const [name, def] of Object.entries(ext.tests ?? {})) put(this.tests, name, def);
    for (const [target, tags] of Object.entries(ext.tagsFor ?? {})) {
      let m = this.tagsFor.get(target);
      if (!m) this.tagsFor.set(target, (m = new Map()));
      for (const [tag, spec] of Object.entries(tags)) put(m, tag, spec);
    }
    for (const c of ext.comparators ?? []) put(this.comparators, c.name, c);
    for (const m of ext.matchTypes ?? []) put(this.matchTypes, m.type.name, m);
    for (const p of ext.addressParts ?? []) put(this.addressParts, p.name, p);
    return this;
  }

  /** Capability names `require` accepts. */
  get capabilities(): Set<string> {
    return new Set([...this.extensions.keys()].filter((n) => n !== ''));
  }
}
