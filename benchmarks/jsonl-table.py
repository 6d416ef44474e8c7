#!/usr/bin/env python3
"""Markdown tables from `orchiddb bench --json` files (one JSON object per line).

  benchmarks/jsonl-table.py runs.jsonl [more.jsonl ...]            one row per run (with `bench --metrics`,
                                                                   also puts per Raft entry or gets per read request)
  benchmarks/jsonl-table.py --compare runs.jsonl [more.jsonl ...]  OrchidDB beside etcd, with ratios
  benchmarks/jsonl-table.py --compare --orchiddb-label TEXT runs.jsonl   only OrchidDB runs whose label has TEXT

--compare pairs runs by (workload, read consistency, concurrency, value bytes, keys); the last
run of each target for a pair wins. Ratio columns are OrchidDB / etcd for throughput and
etcd / OrchidDB for p99 latency (above 1 means OrchidDB is better in both).
"""
import json
import sys


def runs(paths):
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield json.loads(line)


def reads(run):
    # Puts have no read consistency; show "-" so put rows pair across targets.
    return "-" if run["workload"] == "put" else run["consistency"]


def lat(run):
    return run["results"]["latency_ms"]["all"]


def per_request(run):
    # With `bench --metrics`: what each Raft entry (writes) or node read request (gets) carried.
    s = run.get("server")
    if not s:
        return ""
    ratio = s["txns_per_entry"] if run["workload"] == "put" else s["gets_per_request"]
    return "" if ratio is None else f"{ratio:.1f}"


def plain(paths):
    print("| target | workload | reads | concurrency | ops/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors "
          "| ops per entry / request |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in runs(paths):
        l = lat(r)
        print(f"| {r['target']} | {r['workload']} | {reads(r)} | {r['concurrency']} | {r['results']['ops_per_s']:,.0f} "
              f"| {l['p50']:.2f} | {l['p90']:.2f} | {l['p99']:.2f} | {l['p99_9']:.2f} | {l['max']:.2f} "
              f"| {r['results']['errors_total']} | {per_request(r)} |")


def compare(paths, orchiddb_label=None):
    pairs = {}
    for r in runs(paths):
        if orchiddb_label and r["target"] == "orchiddb" and orchiddb_label not in (r.get("label") or ""):
            continue
        key = (r["workload"], reads(r), r["concurrency"], r["value_bytes"], r["keys"])
        pairs.setdefault(key, {})[r["target"]] = r
    print("| workload | reads | concurrency | OrchidDB ops/s | etcd ops/s | ratio | OrchidDB p99 ms | etcd p99 ms | p99 ratio |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for key in sorted(pairs, key=lambda k: (k[0], k[1], k[2])):
        o, e = pairs[key].get("orchiddb"), pairs[key].get("etcd")
        ot = o["results"]["ops_per_s"] if o else None
        et = e["results"]["ops_per_s"] if e else None
        op = lat(o)["p99"] if o else None
        ep = lat(e)["p99"] if e else None
        fmt = lambda v, spec: "" if v is None else format(v, spec)
        ratio = f"{ot / et:.2f}" if ot and et else ""
        pratio = f"{ep / op:.2f}" if op and ep else ""
        print(f"| {key[0]} | {key[1]} | {key[2]} | {fmt(ot, ',.0f')} | {fmt(et, ',.0f')} | {ratio} "
              f"| {fmt(op, '.2f')} | {fmt(ep, '.2f')} | {pratio} |")


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0 if args else 2)
    if args[0] == "--compare" and len(args) > 2 and args[1] == "--orchiddb-label":
        compare(args[3:], args[2])
    elif args[0] == "--compare":
        compare(args[1:])
    else:
        plain(args)
