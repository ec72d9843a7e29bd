// The BDD globals web-test-runner's mocha provides (no @types/mocha installed).
type MochaDone = (err?: unknown) => void;
type MochaFn = ((this: unknown) => void | Promise<unknown>) | ((this: unknown, done: MochaDone) => void);
declare function describe(title: string, fn: () => void): void;
declare function it(title: string, fn: MochaFn): void;
declare function before(fn: MochaFn): void;
declare function after(fn: MochaFn): void;
declare function beforeEach(fn: MochaFn): void;
declare function afterEach(fn: MochaFn): void;
