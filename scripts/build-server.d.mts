// Types of build-server.mjs (used by the benchmarks and the reliability tests).
export declare const SERVER_ENTRY: string;
export declare function serverIsStale(root?: string): boolean;
export declare function buildServer(root?: string): Promise<void>;
