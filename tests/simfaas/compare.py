#!/usr/bin/env python3
"""Side-by-side check of fanout's Lambda engine against SimFaaS.

SimFaaS (Mahmoudi & Khazaei 2021, `pip install simfaas`) is a published
serverless simulator validated against AWS Lambda. Both simulators run the
same model: Poisson arrivals, exponential warm (1.991 s) and cold (2.244 s)
service times, newest idle instance first, expiry 600 s after the last
request, rejection above the concurrency limit, no scaling-rate limit.

Usage (from the repository root):
    pip install simfaas
    cargo build --release --no-default-features --bin fanout
    python3 tests/simfaas/compare.py [--fanout target/release/fanout] [--time 100000]

CI does not run this; the figures are recorded in the issue notes.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

WARM_S = 1.991
COLD_S = 2.244
EXPIRY_S = 600

# (arrival rate [req/s], concurrency limit)
CASES = [(0.1, 1000), (0.9, 1000), (5.0, 1000), (5.0, 10)]

METRICS = [
    ("cold-start probability", "prob_cold", lambda r: r["lambda"]["cold_start_probability"]),
    ("rejection probability", "prob_reject", lambda r: r["lambda"]["rejection_probability"]),
    ("mean instances", "inst_count_avg", lambda r: r["lambda"]["mean_environments"]),
    ("mean running", "inst_running_count_avg", lambda r: r["lambda"]["mean_busy"]),
    ("mean idle", "inst_idle_count_avg", lambda r: r["lambda"]["mean_idle"]),
    ("mean lifespan [s]", "lifespan_avg", lambda r: r["lambda"]["mean_lifespan_s"]),
]


def scenario(rate, limit, duration_s, seed):
    function = {
        "timeout_s": 900,
        "duration": {"type": "exponential", "mean_ms": WARM_S * 1000},
        "cold_duration": {"type": "exponential", "mean_ms": COLD_S * 1000},
        "init_duration": {"type": "fixed", "ms": 0},
        "keep_alive_s": EXPIRY_S,
    }
    account = {"concurrency_limit": 1000, "scaling": {"model": "unlimited"}}
    if limit < 1000:
        # The account minimum is 100; reserved concurrency sets a lower limit.
        function["reserved_concurrency"] = limit
    return {
        "version": 1,
        "name": f"simfaas rate {rate} limit {limit}",
        "seed": seed,
        "duration_s": duration_s,
        "sources": [{"kind": "api", "pattern": {"type": "poisson", "rate_per_s": rate}}],
        "function": function,
        "account": account,
    }


def run_fanout(binary, rate, limit, duration_s, seed):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(scenario(rate, limit, duration_s, seed), f)
        path = f.name
    try:
        out = subprocess.run([binary, "run", path, "--json"], check=True, capture_output=True, text=True)
    finally:
        os.unlink(path)
    return json.loads(out.stdout)


def run_simfaas(rate, limit, duration_s, seed):
    import numpy as np
    from simfaas.ServerlessSimulator import ServerlessSimulator

    np.random.seed(seed)
    sim = ServerlessSimulator(
        arrival_rate=rate,
        warm_service_rate=1 / WARM_S,
        cold_service_rate=1 / COLD_S,
        expiration_threshold=EXPIRY_S,
        max_time=duration_s,
        maximum_concurrency=limit,
    )
    sim.generate_trace(debug_print=False, progress=False)
    return sim.get_result_dict()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fanout", default="target/release/fanout")
    ap.add_argument("--time", type=float, default=100_000, help="simulated seconds per case")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rate", type=float, action="append", help="only the cases at this rate (repeatable)")
    args = ap.parse_args()
    if not os.path.exists(args.fanout):
        sys.exit(f"{args.fanout} not found: cargo build --release --no-default-features --bin fanout")

    print(f"SimFaaS model: warm {WARM_S} s, cold {COLD_S} s, expiry {EXPIRY_S} s, {args.time:.0f} simulated s per run\n")
    print(f"| rate [req/s] | limit | metric | SimFaaS | fanout | difference |")
    print(f"|---:|---:|---|---:|---:|---:|")
    for rate, limit in CASES:
        if args.rate and rate not in args.rate:
            continue
        ours = run_fanout(args.fanout, rate, limit, args.time, args.seed)
        theirs = run_simfaas(rate, limit, args.time, args.seed)
        for label, key, get in METRICS:
            a, b = float(theirs[key]), float(get(ours))
            diff = (b - a) / a * 100 if a else 0.0
            rel = f"{diff:+.1f} %" if a else ("0" if b == 0 else "n/a")
            print(f"| {rate} | {limit} | {label} | {a:.4f} | {b:.4f} | {rel} |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
