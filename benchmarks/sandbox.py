"""Sandbox cost per call: the warm pool (fork server with pre-forked, pre-confined children) against a
fresh interpreter per call, measured side by side in one run.

    .venv/bin/python benchmarks/sandbox.py [--calls 300] [--fresh-calls 20]

Rows (same tiny function, same tiny input, every call checked for the right answer):
  warm pool, sync API     `Sandbox.run` from plain code (includes the hop to the pool's loop thread)
  warm pool, async API    `await SandboxPool.run` on the caller's loop
  warm pool, 2 at a time  two calls in flight; amortised = wall time / calls (throughput)
  fresh sandbox per call  a new fork server per call: interpreter start, imports, confinement, call
  bare `python -c`        a new interpreter per call with no isolation at all (a lower bound for it)
Columns: wall-clock median/p90/mean per call; amortised = total wall time / calls; CPU = CPU time per
call summed over this process, the fork server and every child (less sensitive to other load).
The target is a warm median of at most 5 ms. The load average is printed: on a 2-core machine other
processes inflate every wall-clock figure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from infscale.sandbox import Limits, Sandbox, SandboxPool, Status

CODE = "def solve(xs, k):\n    return sorted(x * k for x in xs)[:3]\n"
ARGS = [[5, 3, 9, 1, 7], 2]
EXPECTED = [2, 6, 10]
TARGET_MS = 5.0

Row = tuple[list[float], float, float]  # per-call wall seconds, total wall seconds, CPU seconds


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median": statistics.median(ordered) * 1000,
        "p90": ordered[int(0.9 * (len(ordered) - 1))] * 1000,
        "mean": statistics.fmean(ordered) * 1000,
    }


def _cpu(server_pid: int | None = None) -> float:
    """CPU seconds used so far by this process and its reaped children, plus a live fork server and its
    reaped children if given: the cost of the calls, whichever process spent it."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    if server_pid is not None:
        with open(f"/proc/{server_pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        total += sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime
    return total


def _check(result: object) -> None:
    status, value = getattr(result, "status", None), getattr(result, "value", None)
    if status is not Status.OK or value != EXPECTED:
        raise SystemExit(f"benchmark call failed: {result!r}")


def warm_sync(calls: int) -> Row:
    with Sandbox(limits=Limits(timeout=10)) as sb:
        for _ in range(20):  # warm-up: the server is up, spares are forked
            _check(sb.run(CODE, "solve", ARGS))
        samples = []
        cpu0, begin = _cpu(sb.server_pid), time.perf_counter()
        for _ in range(calls):
            t = time.perf_counter()
            _check(sb.run(CODE, "solve", ARGS))
            samples.append(time.perf_counter() - t)
        return samples, time.perf_counter() - begin, _cpu(sb.server_pid) - cpu0


async def warm_async(calls: int, in_flight: int) -> Row:
    async with SandboxPool(limits=Limits(timeout=10), max_concurrency=in_flight) as pool:
        for _ in range(20):
            _check(await pool.run(CODE, "solve", ARGS))
        samples: list[float] = []

        async def worker(share: int) -> None:  # each worker keeps one call in flight at a time
            for _ in range(share):
                t = time.perf_counter()
                _check(await pool.run(CODE, "solve", ARGS))
                samples.append(time.perf_counter() - t)

        cpu0, begin = _cpu(pool.server_pid), time.perf_counter()
        await asyncio.gather(*(worker(calls // in_flight) for _ in range(in_flight)))
        return samples, time.perf_counter() - begin, _cpu(pool.server_pid) - cpu0


def fresh_sandbox(calls: int) -> Row:
    async def one() -> None:
        async with SandboxPool(limits=Limits(timeout=10), spares=0) as pool:
            _check(await pool.run(CODE, "solve", ARGS))

    samples = []
    cpu0, begin = _cpu(), time.perf_counter()
    for _ in range(calls):
        t = time.perf_counter()
        asyncio.run(one())
        samples.append(time.perf_counter() - t)
    return samples, time.perf_counter() - begin, _cpu() - cpu0


def bare_python(calls: int) -> Row:
    script = CODE + f"import json\nprint(json.dumps(solve(*{ARGS!r})))\n"
    samples = []
    cpu0, begin = _cpu(), time.perf_counter()
    for _ in range(calls):
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-I", "-c", script], capture_output=True, text=True, check=True)
        samples.append(time.perf_counter() - t)
        if out.stdout.strip() != "[2, 6, 10]":
            raise SystemExit(f"bare python gave {out.stdout!r}")
    return samples, time.perf_counter() - begin, _cpu() - cpu0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=300, help="calls per warm-pool row")
    parser.add_argument("--fresh-calls", type=int, default=20, help="calls per fresh-interpreter row")
    opts = parser.parse_args()
    if opts.calls < 10 or opts.fresh_calls < 3:
        parser.error("--calls must be >= 10 and --fresh-calls >= 3")

    rows: list[tuple[str, Callable[[], Row]]] = [
        ("warm pool, sync API", lambda: warm_sync(opts.calls)),
        ("warm pool, async API", lambda: asyncio.run(warm_async(opts.calls, 1))),
        ("warm pool, 2 at a time", lambda: asyncio.run(warm_async(opts.calls, 2))),
        ("fresh sandbox per call", lambda: fresh_sandbox(opts.fresh_calls)),
        ("bare `python -c` per call", lambda: bare_python(opts.fresh_calls)),
    ]
    load_before = os.getloadavg()[0]
    results = {}
    for name, fn in rows:
        samples, total, cpu = fn()
        n = len(samples)
        results[name] = _stats(samples) | {"amortised": total / n * 1000, "cpu": cpu / n * 1000, "n": n}

    load_after = os.getloadavg()[0]
    print(
        f"sandbox cost per call ({os.cpu_count()} CPUs, load average {load_before:.2f} -> {load_after:.2f})"
    )
    print(f"{'':28}{'median ms':>11}{'p90 ms':>9}{'mean ms':>9}{'amortised ms':>14}{'CPU ms':>9}{'calls':>7}")
    for name, r in results.items():
        print(
            f"{name:28}{r['median']:>11.2f}{r['p90']:>9.2f}{r['mean']:>9.2f}{r['amortised']:>14.2f}"
            f"{r['cpu']:>9.2f}{r['n']:>7}"
        )
    warm, fresh = results["warm pool, sync API"], results["fresh sandbox per call"]
    bare = results["bare `python -c` per call"]
    print(
        f"median: fresh sandbox / warm pool = {fresh['median'] / warm['median']:.1f}x, "
        f"bare python / warm pool = {bare['median'] / warm['median']:.1f}x; "
        f"CPU: fresh sandbox / warm pool = {fresh['cpu'] / warm['cpu']:.1f}x"
    )
    best = min(warm["median"], results["warm pool, async API"]["median"])
    verdict = "met" if best <= TARGET_MS else "NOT met"
    print(
        f"target: warm median <= {TARGET_MS:g} ms ... {verdict} (sync {warm['median']:.2f} ms, best {best:.2f} ms)"
    )


if __name__ == "__main__":
    main()
