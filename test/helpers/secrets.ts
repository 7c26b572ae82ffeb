import { randomInt } from 'node:crypto';
import { expect } from 'vitest';
import type { Queryable } from '../../src/db/index.js';

/** A Visa number no other test uses: random digits completed with their Luhn check digit (frictionless in the sandbox). */
export function uniqueCardNumber(): string {
  const body = '4' + Array.from({ length: 14 }, () => String(randomInt(10))).join('');
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}

/**
 * Every column of every table of the schema, searched as text (bytes also as bytes) for each needle
 * (as is) and each pattern (a case-insensitive regex); the hits as `table.column: what`.
 */
export async function scanDatabase(db: Queryable, needles: string[], patterns: string[] = []): Promise<string[]> {
  const columns = await db.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
     JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
     WHERE c.table_schema = 'public'
     ORDER BY 1, 2`,
  );
  expect(columns.length).toBeGreaterThan(50);
  const hits: string[] = [];
  for (const c of columns) {
    const col = `t."${c.column_name}"`;
    const asText = c.data_type === 'bytea' ? `encode(${col}, 'escape')` : `${col}::text`;
    const found = await db.query<{ what: string }>(
      `SELECT n AS what FROM unnest($1::text[]) AS n
       WHERE EXISTS (SELECT 1 FROM "${c.table_name}" t WHERE strpos(${asText}, n) > 0
                     ${c.data_type === 'bytea' ? `OR position(convert_to(n, 'UTF8') in ${col}) > 0` : ''})
       UNION ALL
       SELECT 'pattern ' || p FROM unnest($2::text[]) AS p WHERE EXISTS (SELECT 1 FROM "${c.table_name}" t WHERE ${asText} ~* p)`,
      [needles, patterns],
    );
    for (const f of found) hits.push(`${c.table_name}.${c.column_name}: ${f.what}`);
  }
  return hits;
}
