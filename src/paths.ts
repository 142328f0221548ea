/**
 * The project's root folder, found from this file whether it runs as
 * TypeScript (src/) or compiled (dist/src/): the nearest folder above that
 * holds package.json.
 */
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`paths: no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

export const ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

/**
 * Is this module the script Node was started with? Compares real paths, so
 * a symlinked checkout or a path with `%`, `#` or spaces still starts.
 */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(fileURLToPath(moduleUrl)) === realpathSync(script);
  } catch {
    return false;
  }
}
