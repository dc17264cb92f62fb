'use strict';
// The addon built by `node-gyp rebuild` at install (binding.gyp). Absent or unloadable (no C++ compiler at
// install, a runtime that is not Node on V8): `supported` is false and `lowMemory()` returns null.
let addon = null;
try {
  addon = require('./build/Release/v8_low_memory.node');
} catch {
  addon = null;
}

module.exports = {
  /** True when V8's low-memory notification is there to call. */
  supported: addon !== null,
  /** Isolate::LowMemoryNotification(): true once it ran, null where unsupported. */
  lowMemory: () => (addon !== null && addon.lowMemory() ? true : null),
};
