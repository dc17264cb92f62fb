/** How a repository written once for both engines runs its SQL (`?` placeholders) on one back end. */
export interface SqlRunner {
  rows<R>(sql: string, params: unknown[]): Promise<R[]>;
  /** Runs a statement and resolves the number of rows it changed. */
  run(sql: string, params: unknown[]): Promise<number>;
}
