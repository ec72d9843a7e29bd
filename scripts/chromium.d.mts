export declare const CHROME_ARGS: string[];
export declare function chromePath(): string;
export declare function findChromium(options?: { install?: boolean }): string;
