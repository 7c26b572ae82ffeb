// PostgreSQL text and jsonb cannot hold NUL, nor JSON text an unpaired surrogate.
const BAD_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The dotted path of the first string (value or property name) the database could not store, or null.
 * Iterative, and paths are only spelled out for a hit: JSON.parse accepts nesting far deeper than the call stack.
 */
export function findBadText(root: unknown): string | null {
  const nodes: { value: unknown; parent: number; key: string }[] = [{ value: root, parent: -1, key: '' }];
  const pathOf = (n: number, key?: string): string => {
    const parts = key === undefined ? [] : [key];
    for (let i = n; i > 0 && parts.length <= 20; i = nodes[i].parent) parts.push(nodes[i].key);
    if (parts.length > 20) parts.splice(19, Infinity, '…');
    const path = parts.reverse().join('.').replace(/\.\[/g, '[').replace(new RegExp(BAD_TEXT, 'g'), '\ufffd');
    return path || 'Body';
  };
  for (let n = 0; n < nodes.length; n++) {
    const value = nodes[n].value;
    if (typeof value === 'string') {
      if (BAD_TEXT.test(value)) return pathOf(n);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => nodes.push({ value: v, parent: n, key: `[${i}]` }));
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (BAD_TEXT.test(k)) return pathOf(n, k);
        nodes.push({ value: v, parent: n, key: k });
      }
    }
  }
  return null;
}
