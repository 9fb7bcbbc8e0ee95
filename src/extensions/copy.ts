/**
 * copy: RFC 3894. `:copy` on fileinto and redirect: the action no longer cancels
 * the implicit keep. Status: complete.
 */
import { defineExtension } from './define.js';

export const copy = defineExtension({
  name: 'copy',
  spec: 'RFC 3894',
  tagsFor: { fileinto: { copy: {} }, redirect: { copy: {} } },
});
