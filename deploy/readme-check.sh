#!/usr/bin/env bash
# Copy-paste check of the README: starts `./orchiddb dev` on a fresh data directory, then runs
# every `$ command` line of the README's ```console blocks in order, and compares what each prints
# with the lines that follow it in the README: line by line, where `...` inside a line matches any
# text and a line that is just `...` matches any number of lines (stdout only; curl prints its
# progress meter on stderr when not on a terminal). Fails on the first difference.
# CI runs it after the tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
work="$(mktemp -d)"
dev=""
# The dev process ends with 143 (SIGTERM): that is not this script's failure.
trap 'if [ -n "$dev" ]; then kill "$dev" 2>/dev/null || true; wait "$dev" 2>/dev/null || true; fi; rm -rf "$work"' EXIT

./orchiddb --version >/dev/null # builds on first use
./orchiddb dev --data-dir "$work/data" >"$work/dev.log" 2>&1 &
dev=$!
deadline=$((SECONDS + 120))
until grep -q "OrchidDB is running" "$work/dev.log"; do
  kill -0 "$dev" 2>/dev/null || { cat "$work/dev.log"; echo "readme-check: dev mode exited" >&2; exit 1; }
  ((SECONDS < deadline)) || { cat "$work/dev.log"; echo "readme-check: dev mode not ready" >&2; exit 1; }
  sleep 0.5
done

# Pull the console blocks apart: "$ cmd" lines and their expected output.
python3 - "$root/README.md" >"$work/script.tsv" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
inside = False
cmd, expected = None, []
def flush():
    if cmd is not None:
        print(cmd + "\t" + "\x1f".join(expected))
for line in lines:
    if line.strip() == "```console":
        inside = True
        continue
    if inside and line.strip() == "```":
        flush(); cmd, expected = None, []
        inside = False
        continue
    if inside:
        if line.startswith("$ "):
            flush()
            cmd, expected = line[2:], []
        elif cmd is not None:
            expected.append(line)
flush()
PY

count=0
while IFS=$'\t' read -r cmd expected; do
  count=$((count + 1))
  actual="$(cd "$root" && bash -c "$cmd" 2>"$work/stderr" || true)"
  python3 - "$cmd" "$expected" "$actual" <<'PY'
import re, sys
cmd, expected, actual = sys.argv[1], sys.argv[2], sys.argv[3]
def match(e, a):
    return re.fullmatch(".*".join(re.escape(part) for part in e.split("...")), a) is not None
exp = expected.split("\x1f") if expected else []
act = actual.splitlines()
i = 0
ok = True
for j, e in enumerate(exp):
    if e == "...":
        nxt = exp[j + 1] if j + 1 < len(exp) else None
        while i < len(act) and (nxt is None or not match(nxt, act[i])):
            i += 1
        continue
    if i >= len(act) or not match(e, act[i]):
        ok = False
        break
    i += 1
if ok and i < len(act) and (not exp or exp[-1] != "..."):
    ok = False
if not ok:
    print(f"readme-check: `{cmd}` printed:\n{actual}\n--- but the README shows:\n" + "\n".join(exp), file=sys.stderr)
    sys.exit(1)
PY
  echo "readme-check: ok: $cmd"
done <"$work/script.tsv"
((count > 0)) || { echo "readme-check: no console blocks found in README.md" >&2; exit 1; }
echo "readme-check: $count README commands behave as documented"
