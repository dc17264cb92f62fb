/** True when V8's low-memory notification is there to call (the addon built and loaded). */
export declare const supported: boolean;
/**
 * V8's Isolate::LowMemoryNotification(): memory-reducing full garbage collections (old space compacted, new
 * space shrunk, freed pages unmapped). Blocks the thread for their duration. True once it ran, null where
 * unsupported.
 */
export declare function lowMemory(): true | null;
