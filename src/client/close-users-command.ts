/**
 * `mangrove close-users FILE --base-url URL --client-id ID [--report PATH] [--concurrency N] [--dry-run]
 * [--resume]` (SPEC §7). To be built (issue #13). Returns the exit status.
 */
export async function runCloseUsers(_argv: string[]): Promise<number> {
  console.error('mangrove close-users: not built yet');
  return 2;
}
