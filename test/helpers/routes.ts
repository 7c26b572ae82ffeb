import type { FastifyInstance } from 'fastify';

/** Every method and path the router serves (HEAD aside), read from Fastify's route tree. */
export function routerRoutes(app: FastifyInstance): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:│ {3}| {4})*)[├└]── (\S+)(?: \(([^)]*)\))?$/.exec(line);
    if (!m) continue;
    stack.length = m[1].length / 4;
    stack.push(m[2]);
    for (const method of m[3]?.split(', ') ?? []) if (method !== 'HEAD') out.push({ method, path: stack.join('') });
  }
  return out;
}
