/**
 * subaddress: RFC 5233. The address parts :user and :detail for the address and
 * envelope tests (and any other test that takes an address part).
 *
 * The separator is "+", as Pigeonhole's default recipient_delimiter. The user is
 * the local part up to the FIRST "+" and the detail everything after it
 * ("a+b+c" → user "a", detail "b+c"); without a "+" there is no detail and
 * :detail never matches (§4: not even against ""), while "u+@d" has an empty
 * detail. All measured with Pigeonhole 0.5.19. The separator is fixed: the
 * AddressPart interface sees the address only. Status: complete.
 */
import { defineExtension, type AddressPart } from './define.js';

export const SEPARATOR = '+';

const user: AddressPart = {
  name: 'user',
  extract(address) {
    const i = address.localPart.indexOf(SEPARATOR);
    return i < 0 ? address.localPart : address.localPart.slice(0, i);
  },
};

const detail: AddressPart = {
  name: 'detail',
  extract(address) {
    const i = address.localPart.indexOf(SEPARATOR);
    return i < 0 ? null : address.localPart.slice(i + SEPARATOR.length);
  },
};

export const subaddress = defineExtension({
  name: 'subaddress',
  spec: 'RFC 5233',
  addressParts: [user, detail],
});
