// Preloaded with `node --import` by the benchmarks: writes the process's peak resident memory (KiB) to
// $PEAK_RSS_FILE as it exits, so that a child's high-water mark can be read after it is gone.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.PEAK_RSS_FILE) writeFileSync(process.env.PEAK_RSS_FILE, String(process.resourceUsage().maxRSS));
});
