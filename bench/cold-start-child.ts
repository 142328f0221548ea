/**
 * Child process: from a fresh `node --import tsx` to the first answer on the
 * bundled corpus (modules loaded, corpus read and checked, index built, one
 * /quote answered). Times are from the process's own start (performance.now()
 * counts from it). Prints one JSON line.
 */
const atStart = performance.now();
const { createApp } = await import('../src/app.js');
const { answerQuote } = await import('../src/answers/quote.js');
const imported = performance.now();
// Compiled into one file elsewhere (see main.ts), the module no longer sits next to data/: it is told where.
const app = createApp(process.env.HV_DATA_DIR ? { dataDir: process.env.HV_DATA_DIR } : {});
const created = performance.now();
const reply = answerQuote(app, { query: 'collective farms voluntary' });
const ready = performance.now();
if (reply.type !== 'message' || !reply.payload.embeds?.length) throw new Error('cold start: /quote gave no quote');
console.log(
  JSON.stringify({
    boot_ms: atStart,
    import_ms: imported - atStart,
    create_app_ms: created - imported,
    first_quote_ms: ready - created,
    ready_ms: ready,
    rss_mb: process.memoryUsage().rss / 1e6,
    heap_mb: process.memoryUsage().heapUsed / 1e6,
  }),
);
