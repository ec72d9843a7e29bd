import { z } from 'zod';

/** Spring `Sort` JSON as the seed shows it. */
export const springSortSchema = z.object({
  empty: z.boolean(),
  sorted: z.boolean(),
  unsorted: z.boolean(),
});

/** Spring `Pageable` JSON as the seed shows it. */
export const springPageableSchema = z.object({
  pageNumber: z.number().int(),
  pageSize: z.number().int(),
  offset: z.number().int(),
  paged: z.boolean(),
  unpaged: z.boolean(),
  sort: springSortSchema,
});

/** Spring `Page<T>` JSON, keys in the seed's order. */
export function springPage<T extends z.ZodType>(item: T) {
  return z.object({
    content: z.array(item),
    pageable: springPageableSchema,
    last: z.boolean(),
    totalPages: z.number().int(),
    totalElements: z.number().int(),
    size: z.number().int(),
    number: z.number().int(),
    sort: springSortSchema,
    first: z.boolean(),
    numberOfElements: z.number().int(),
    empty: z.boolean(),
  });
}

export type SpringPage<T> = {
  content: T[];
  pageable: z.infer<typeof springPageableSchema>;
  last: boolean;
  totalPages: number;
  totalElements: number;
  size: number;
  number: number;
  sort: z.infer<typeof springSortSchema>;
  first: boolean;
  numberOfElements: number;
  empty: boolean;
};

/**
 * A JSON integer or a string of decimal digits; nothing else is coerced (`[1]`, `true`, `0x10`,
 * `1e3` and `" 7"` are 400, where a plain coercion read them as numbers).
 */
const decimalInt = (min: number, max: number, dflt: number) =>
  z
    .union([z.number(), z.string().regex(/^\d{1,9}$/).transform(Number)], { error: 'must be a decimal integer' })
    .pipe(z.number().int('must be a decimal integer').min(min).max(max))
    .default(dflt);

/** Paging fields of a request body (`pageNumber` from 0, `pageSize` 1..1000, defaults 0 and 20). */
export const pageRequestFields = {
  pageNumber: decimalInt(0, 1_000_000, 0),
  pageSize: decimalInt(1, 1000, 20),
};

/** Builds the Spring page JSON for one page of `content` out of `totalElements`. */
export function toSpringPage<T>(content: T[], pageNumber: number, pageSize: number, totalElements: number): SpringPage<T> {
  const sort = { empty: true, sorted: false, unsorted: true };
  const totalPages = pageSize === 0 ? 1 : Math.ceil(totalElements / pageSize);
  return {
    content,
    pageable: { pageNumber, pageSize, offset: pageNumber * pageSize, paged: true, unpaged: false, sort: { ...sort } },
    last: pageNumber + 1 >= totalPages,
    totalPages,
    totalElements,
    size: pageSize,
    number: pageNumber,
    sort: { ...sort },
    first: pageNumber === 0,
    numberOfElements: content.length,
    empty: content.length === 0,
  };
}
