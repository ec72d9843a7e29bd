/** fast-check runs of a property test: `n`, or at most FC_MAX_RUNS (set by `npm run mutation`, which runs the tests once per mutant). */
export const runs = (n: number): number => Math.min(n, Number(process.env.FC_MAX_RUNS) || n);
