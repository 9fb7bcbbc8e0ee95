/** The V8 flags bin/v8-flags.js sets on import (every mailsift process, and the rules bench worker). */
export declare const V8_FLAGS: readonly string[];
