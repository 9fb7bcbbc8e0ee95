/** The message view: parse a raw message and read its header, addresses, MIME tree and body. */
export type * from './types.js';
export { parseMessage } from './parse.js';
export { htmlToText } from './html.js';
export { parseAddressList, type ParsedAddressList } from './address.js';
export { decodeHeaderValue, fieldValue, isValidFieldName, unfold } from './header-fields.js';
export { decodeWords } from './decode-words.js';
export { encodeHeaderValue } from './encode-words.js';
export { decodeCharset } from './charset.js';
export { parseParamValue, type ParamValue } from './content-type.js';
export { MAX_MIME_DEPTH } from './mime.js';
