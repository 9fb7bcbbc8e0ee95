/**
 * index: RFC 5260 §6. The :index <n> and :last tags on the header, address and date
 * tests select one field among those of a name (counted from the top, or from the
 * bottom with :last). The tests read them through lib/select.ts (`lowerIndex`,
 * `pickIndexed`); this file only declares them. The file is not called index.ts,
 * which is the registry of all extensions.
 *
 * As in Pigeonhole, :index counts header *fields*, not addresses: `address :index 1
 * "to"` sees every address of the first To field. `:index 0` and :last without
 * :index are compile errors (RFC 5260 §6; Pigeonhole agrees). An index beyond the
 * fields present selects nothing, so the test is false.
 *
 * editheader's deleteheader has its own :index/:last (RFC 5293 §5), declared in
 * editheader.ts: they do not need this capability.
 * Status: complete.
 */
import { defineExtension, type TagSpec } from './define.js';

const INDEX_TAGS: Readonly<Record<string, TagSpec>> = { index: { arg: 'number' }, last: {} };

export const index = defineExtension({
  name: 'index',
  spec: 'RFC 5260 §6',
  tagsFor: { header: INDEX_TAGS, address: INDEX_TAGS, date: INDEX_TAGS },
});
