// The UI reuses the domain's pure functions (evolve, scheduleView, the tenant and cron rules),
// and the domain's modules also declare their zod schemas at top level. The browser never
// validates with them — the server does — so the UI build (vite.config.ts) puts this
// stand-in where zod would be: schemas are built as inert chains (~24 kB gzip saved), and
// actually using one fails loudly instead of passing silently.
const refuse = () => {
  throw new Error('zod is not part of the UI bundle; validation happens on the server');
};

const USE = new Set<PropertyKey>(['parse', 'safeParse', 'parseAsync', 'safeParseAsync', 'spa', 'decode', 'encode']);

// any: an inert chain stands for every zod type at once
const inert: any = new Proxy(function inertSchema() {}, {
  get: (_target, prop) => {
    if (USE.has(prop)) return refuse;
    if (prop === 'then') return undefined;
    if (prop === Symbol.toPrimitive) return () => '[zod schema]';
    return inert;
  },
  apply: () => inert,
  construct: () => inert,
});

export const z = inert;
export default inert;
