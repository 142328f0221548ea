/** Child process: nothing at all, to measure what `node --import tsx` costs before any of our code. */
console.log(JSON.stringify({ rss_mb: process.memoryUsage().rss / 1e6 }));
