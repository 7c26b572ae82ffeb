import type { Db } from '../../db/index.js';

/** Expires every client's pre-authorizations whose hold ended, each on its own clock (run periodically by each process). To be built. */
export async function sweepPreauthorizations(_db: Db): Promise<void> {}
