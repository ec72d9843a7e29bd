// Types of size.mjs (used by the benchmark's bundle section).
export declare const BUDGETS_KB: Record<string, number>;
/** `npm pack --dry-run --json` of build/package/ (undefined before a build). */
export declare function packedSize(dir?: string): { name: string; version: string; size: number; unpackedSize: number; entryCount: number } | undefined;
