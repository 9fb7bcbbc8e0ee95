/**
 * Every extension mailsift knows, registered once. One line per extension file.
 */
import { copy } from './copy.js';
import { core } from './core.js';
import { encodedCharacter } from './encoded-character.js';
import { envelope } from './envelope.js';
import { fileinto } from './fileinto.js';
import { Registry } from './registry.js';

export const defaultRegistry = new Registry()
  .register(core)
  .register(fileinto)
  .register(envelope)
  .register(encodedCharacter)
  .register(copy);
