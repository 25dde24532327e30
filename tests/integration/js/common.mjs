// Helpers shared by the Node test clients: loading the pinned peers from tests/npm, a tiny
// argument parser, timeouts and the JSON report the C++ tests read.
//
// The scripts live outside tests/npm, so bare imports would not find its node_modules; the
// packages are resolved from there explicitly (METAMCP_NPM_DIR, else ../../npm).

import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const npmDir = process.env.METAMCP_NPM_DIR || path.resolve(here, '../../npm');
const requireFromNpm = createRequire(path.join(npmDir, 'package.json'));

// import() of a package (sub)path installed in tests/npm/node_modules.
export async function npmImport(specifier) {
    return import(pathToFileURL(requireFromNpm.resolve(specifier)).href);
}

// --key value options, --flag options (named in `flags`), the rest positional.
export function parseArgs(argv = process.argv.slice(2), flags = ['handlers']) {
    const options = {};
    const positional = [];
    for (let i = 0; i < argv.length; ++i) {
        const arg = argv[i];
        if (!arg.startsWith('--')) {
            positional.push(arg);
            continue;
        }
        const key = arg.slice(2);
        if (!flags.includes(key) && i + 1 < argv.length && !argv[i + 1].startsWith('--'))
            options[key] = argv[++i];
        else
            options[key] = true;
    }
    return { options, positional };
}

export function withTimeout(promise, ms, what) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function errorText(e) {
    if (e instanceof Error) {
        const code = e.code !== undefined ? ` (code ${e.code})` : '';
        return `${e.name}: ${e.message}${code}`;
    }
    return String(e);
}

// Runs named steps in order; each gets its own timeout and its own entry in the report:
// {ok, ...observations} or {ok:false, error}. A step throws to fail.
export async function runSteps(steps, names, timeoutMs) {
    const results = {};
    for (const name of names) {
        const step = steps[name];
        if (!step) {
            results[name] = { ok: false, error: `unknown step ${name}` };
            continue;
        }
        const started = Date.now();
        try {
            const observed = await withTimeout(step(), timeoutMs, name);
            results[name] = { ok: true, ms: Date.now() - started, ...observed };
        } catch (e) {
            results[name] = { ok: false, ms: Date.now() - started, error: errorText(e) };
        }
    }
    return results;
}

// The one line of JSON the C++ side parses (last line of stdout), then the exit code.
export function report(object) {
    const ok = object.ok !== false && Object.values(object.steps || {}).every((s) => s.ok);
    process.stdout.write(JSON.stringify({ ...object, ok }) + '\n');
    process.exitCode = ok ? 0 : 1;
}

export function expect(condition, message) {
    if (!condition)
        throw new Error(message);
}

export function textOf(result) {
    return (result?.content || [])
        .filter((c) => c.type === 'text')
        .map((c) => c.text)
        .join('\n');
}
