'use strict';
// The addon built by `node-gyp rebuild` at install (binding.gyp). Absent or unloadable (no compiler at install,
// another platform): `supported` is false and `trim()` returns null, so callers need no check of their own.
let addon = null;
try {
  addon = require('./build/Release/malloc_trim.node');
} catch {
  addon = null;
}

module.exports = {
  /** True when glibc's malloc_trim is there to call. */
  supported: addon !== null && addon.supported === true,
  /** malloc_trim(0): true if memory went back to the kernel, false if none could, null where unsupported. */
  trim: () => (addon !== null && addon.supported === true ? addon.trim() : null),
};
