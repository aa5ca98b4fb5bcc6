/** One page of a list, as use cases return it and routes send it (`pageOf` in http/schemas.ts). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
}
