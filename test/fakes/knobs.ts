// What every fake upstream of the tests offers: calls counted per operation, faults injected for
// the next calls of an operation, and a delay for all of them. `*` stands for any operation.

export class FaultKnobs<F> {
  readonly calls = new Map<string, number>();
  private readonly faults = new Map<string, F[]>();
  private readonly delays = new Map<string, number>();

  count(op: string): number {
    return this.calls.get(op) ?? 0;
  }
  resetCounts(): void {
    this.calls.clear();
  }
  /** The next `faults.length` calls of `op` (or of any, `*`) fail as given, in order. */
  inject(op: string, ...faults: F[]): void {
    this.faults.set(op, [...(this.faults.get(op) ?? []), ...faults]);
  }
  /** Every call of `op` (or of any, `*`) answers after `ms` (a slow upstream; widens race windows). */
  delay(op: string, ms: number): void {
    this.delays.set(op, ms);
  }
  clearFaults(): void {
    this.faults.clear();
    this.delays.clear();
  }
  /** Counts a call of `op`; its delay and its fault, if any (the fault is used up). */
  protected called(op: string): { delayMs: number | undefined; fault: F | undefined } {
    this.calls.set(op, this.count(op) + 1);
    return {
      delayMs: this.delays.get(op) ?? this.delays.get('*'),
      fault: this.faults.get(op)?.shift() ?? this.faults.get('*')?.shift(),
    };
  }
}
