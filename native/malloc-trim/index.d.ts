/** True when glibc's malloc_trim is there to call (the addon built and loaded, on glibc). */
export declare const supported: boolean;
/** malloc_trim(0): true if memory went back to the kernel, false if none could, null where unsupported. */
export declare function trim(): boolean | null;
