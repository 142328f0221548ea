/* global process, console */
/**
 * `npm run build`: type-checks and compiles src/ and commands/ to dist/ with
 * tsc, incrementally (dist/.tsbuildinfo remembers what it checked), and then
 * stamps dist/ with a fingerprint of everything the build read. `npm start`
 * compares that stamp with the sources as they are now: equal, it runs dist/
 * at once; different, it builds first, so a changed source never runs stale.
 *
 * Plain JavaScript on purpose: it must run before anything is compiled.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.build-stamp.json');
/** What the compiled output depends on: the sources, the compiler settings, and the dependencies' versions (their types). */
const INPUT_DIRS = ['src', 'commands'];
const INPUT_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(full) : e.isFile() ? [full] : [];
  });
}

/** A hash of every input's path and content: a touched but unchanged file keeps it, any edit, new or deleted file changes it. */
export function fingerprint() {
  const hash = createHash('sha256');
  const files = [...INPUT_DIRS.flatMap((d) => filesUnder(path.join(ROOT, d))), ...INPUT_FILES.map((f) => path.join(ROOT, f)).filter((f) => existsSync(f))];
  for (const file of files.map((f) => path.relative(ROOT, f).split(path.sep).join('/')).sort()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(path.join(ROOT, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Is dist/ the build of the sources as they are now? */
export function isFresh(entry = 'dist/src/main.js') {
  if (!existsSync(path.join(ROOT, entry))) return false;
  try {
    return JSON.parse(readFileSync(STAMP, 'utf8')).fingerprint === fingerprint();
  } catch {
    return false;
  }
}

/**
 * Compiles (type errors refuse the build, as before) and stamps. The
 * fingerprint is taken before compiling: a file saved during the build makes
 * the next start build again rather than run what tsc saw. Returns true on success.
 */
export function build({ quiet = false } = {}) {
  const before = fingerprint();
  rmSync(STAMP, { force: true });
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: quiet ? 'pipe' : 'inherit' });
  if (run.status !== 0) {
    if (quiet) process.stderr.write(`${run.stdout ?? ''}${run.stderr ?? ''}`);
    return false;
  }
  writeFileSync(STAMP, `${JSON.stringify({ fingerprint: before, builtAt: new Date().toISOString() })}\n`);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!build()) {
    console.error('build: tsc found errors (above); dist/ is not stamped, so `npm start` will not run it.');
    process.exitCode = 1;
  }
}
