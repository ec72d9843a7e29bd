/** The success envelope `{ message: 'success', code: 200, data }`. */
export function ok<T>(data: T): { message: string; code: number; data: T } {
  return { message: 'success', code: 200, data };
}
