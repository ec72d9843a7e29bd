// Types of size.mjs (used by the benchmark's bundle section).
export declare const BUDGETS_KB: Record<string, number>;
