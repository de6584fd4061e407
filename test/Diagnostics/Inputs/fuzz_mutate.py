#!/usr/bin/env python3
"""Deterministic mutation fuzzing of `cscc summary` (used by fuzz.test).

usage: fuzz_mutate.py CSCC WORKDIR EXAMPLE.csc...

Each example is mutated in several ways (truncation at every Nth byte, token
deletion, duplication and swapping, numbers replaced by 0 / -1 / huge values,
misspelled names, stray bytes) and, for examples that include a library,
the library is mutated too. Every variant is compiled with `cscc summary`
under a timeout. A variant fails the test if cscc
  - exits with a status other than 0 or 1 (a crash or an assertion),
  - runs past the timeout,
  - exits with 1 without an 'error:' line on stderr, or
  - reports an internal error.
The script prints one line per failure and a summary; it exits 1 on failure.
"""
import concurrent.futures
import os
import random
import re
import shutil
import subprocess
import sys

TIMEOUT_S = 10
TOKEN_RE = re.compile(
    r'\s+|#[^\n]*|//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|'
    r'\d+\.\d*(?:[eE][-+]?\d+)?|\d+(?:[eE][-+]?\d+)?|[A-Za-z_]\w*|'
    r'\.\.|>>|==|!=|<=|>=|&&|\|\||.', re.S)
NUMBER_RE = re.compile(r'\d')
REPLACEMENTS = ['0', '-1', '9223372036854775807', '99999999999999999999',
                '4294967296', '1e308', '0.5', '-9223372036854775807', '1e-320',
                '100000']


def tokens(text):
    return [m.group(0) for m in TOKEN_RE.finditer(text)]


def significant(toks):
    return [i for i, t in enumerate(toks)
            if not t.isspace() and not t.startswith(('#', '//', '/*'))]


def evenly(indices, count):
    """`count` indices spread evenly over `indices` (deterministic)."""
    if len(indices) <= count:
        return list(indices)
    step = len(indices) / count
    return [indices[int(k * step)] for k in range(count)]


def mutations(text, rng):
    """Yields (label, mutated text)."""
    n = len(text)
    step = max(1, n // 40)
    for cut in range(0, n, step):
        yield 'truncate@%d' % cut, text[:cut]
    toks = tokens(text)
    sig = significant(toks)
    for i in evenly(sig, 40):
        yield 'delete-token#%d' % i, ''.join(toks[:i] + toks[i + 1:])
    for i in evenly(sig, 25):
        yield 'dup-token#%d' % i, ''.join(toks[:i + 1] + toks[i:])
    for k, i in enumerate(evenly(sig[:-1], 20)):
        j = sig[sig.index(i) + 1]
        t = list(toks)
        t[i], t[j] = t[j], t[i]
        yield 'swap-tokens#%d' % i, ''.join(t)
    nums = [i for i in sig if NUMBER_RE.match(toks[i])]
    for k, i in enumerate(evenly(nums, 40)):
        for r in (REPLACEMENTS[k % len(REPLACEMENTS)],
                  REPLACEMENTS[(k + 3) % len(REPLACEMENTS)]):
            t = list(toks)
            t[i] = r
            yield 'number#%d=%s' % (i, r), ''.join(t)
    names = [i for i in sig if re.match(r'[A-Za-z_]', toks[i])]
    for i in evenly(names, 20):
        t = list(toks)
        w = t[i]
        t[i] = w[:-1] if len(w) > 1 else w + w
        yield 'misspell#%d' % i, ''.join(t)
    for k in range(15):
        pos = rng.randrange(n + 1)
        junk = rng.choice(['@', '"', '/*', '{', '}', '(', ')', '[', ']', ';',
                           ',', '..', '>>', '=', '\x00', '\xff', '\t', '\n',
                           'if', 'for', 'model m {', 'input', '-', '*'])
        yield 'insert@%d=%r' % (pos, junk), text[:pos] + junk + text[pos:]


def run(cscc, path, extra=()):
    try:
        p = subprocess.run([cscc, 'summary', path] + list(extra),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return 'timed out after %ds' % TIMEOUT_S
    err = p.stderr.decode('utf-8', 'replace')
    if p.returncode not in (0, 1):
        return 'exit status %d; stderr: %s' % (p.returncode, err[-300:])
    if p.returncode == 1 and 'error:' not in err:
        return 'exit status 1 without an error: line; stderr: %r' % err[-300:]
    if 'internal error' in err:
        return 'internal error: %s' % err[-300:]
    return None


def main():
    cscc, work, examples = sys.argv[1], sys.argv[2], sys.argv[3:]
    rng = random.Random(20240601)
    jobs = []  # (label, path, extra arguments)
    for ex in examples:
        name = os.path.splitext(os.path.basename(ex))[0]
        d = os.path.join(work, name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        srcdir = os.path.dirname(ex)
        text = open(ex, encoding='utf-8').read()
        libs = re.findall(r'include\s+"([^"]+)"', text)
        for lib in libs:
            dst = os.path.join(d, lib)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy(os.path.join(srcdir, lib), dst)
        original = _write(d, 'original.csc', text)
        jobs.append((name + ':original', original, []))
        for k, (label, mutated) in enumerate(mutations(text, rng)):
            jobs.append((name + ':' + label, _write(d, 'v%04d.csc' % k, mutated),
                         []))
        # Mutate the first included library under an unchanged main file
        # (one directory per variant so that the runs can go in parallel).
        for lib in libs[:1]:
            libtext = open(os.path.join(srcdir, lib), encoding='utf-8').read()
            for k, (label, mutated) in enumerate(
                    list(mutations(libtext, rng))[::5]):
                ld = os.path.join(d, 'lib%03d' % k)
                _write(os.path.dirname(os.path.join(ld, lib)),
                       os.path.basename(lib), mutated)
                jobs.append((name + ':' + lib + ':' + label,
                             _write(ld, 'main.csc', text), []))
        # -D overrides with odd values for every parameter.
        for p in re.findall(r'^param\s+(\w+)', text, re.M):
            for v in ('0', '-1', '99999999999999999999', '9223372036854775807',
                      '1e308', '0.5', 'x', '(', '"s"'):
                jobs.append((name + ':-D %s=%s' % (p, v), original,
                             ['-D', '%s=%s' % (p, v)]))
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda j: run(cscc, j[1], j[2]), jobs))
    failures = 0
    for (label, path, extra), why in zip(jobs, results):
        if why:
            failures += 1
            print('FAIL %s (%s %s): %s' % (label, path, ' '.join(extra), why))
    print('fuzz: %d variants, %d failures' % (len(jobs), failures))
    return 1 if failures else 0


def _write(d, fname, text):
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, fname)
    with open(path, 'w', encoding='utf-8', errors='surrogateescape') as f:
        f.write(text)
    return path


if __name__ == '__main__':
    sys.exit(main())
