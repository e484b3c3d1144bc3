"""Batched n-sampling versus the same samples generated one after another, on both local models.

For n = 1, 4, 8: output tokens per second of
  - batched:     one request with n samples (one prompt evaluation, n sequences decoded together),
  - sequential:  n requests of one sample each, through the same backend, with the same seeds,
  - peer:        llama-cpp-python's high-level ``Llama.create_completion`` n times (same threads, same prompt).
Printed as ratios measured side by side in one run. Usage:

    .venv/bin/python benchmarks/parallel_sampling.py [--models smollm2-135m gemma3-270m] [--max-tokens 64] [--repeats 2]
"""

from __future__ import annotations

import argparse
import os
import time

from rich.console import Console
from rich.table import Table

from infscale.models.llamacpp import LlamaCppBackend, resolve_model_path
from infscale.models.registry import Registry
from infscale.types import Request

PROMPT = "Write a short poem about the sea."


def tok_per_s(fn) -> tuple[float, int, float]:
    t0 = time.perf_counter()
    toks = fn()
    dt = time.perf_counter() - t0
    return toks / dt, toks, dt


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", nargs="+", default=["smollm2-135m", "gemma3-270m"])
    ap.add_argument("--ns", nargs="+", type=int, default=[1, 4, 8])
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--no-peer", action="store_true", help="skip llama-cpp-python's high-level API baseline")
    args = ap.parse_args()
    console = Console()
    reg = Registry.load(None)
    threads = os.cpu_count() or 1
    table = Table(
        title=f"parallel sampling: output tokens/s ({threads} threads, {args.max_tokens} max tokens)"
    )
    for col in (
        "model",
        "n",
        "batched tok/s",
        "sequential tok/s",
        "peer tok/s",
        "batched/sequential",
        "batched/peer",
    ):
        table.add_column(col, justify="right")
    for name in args.models:
        backend = reg.backend(name)
        assert isinstance(backend, LlamaCppBackend)
        backend.generate_sync(Request(prompt="warm up", max_tokens=4))
        peer = None
        if not args.no_peer:
            from llama_cpp import Llama

            lm = backend.loaded()
            peer = Llama(
                model_path=str(resolve_model_path(backend.spec.options, name)),
                n_ctx=backend.n_ctx,
                n_threads=threads,
                n_threads_batch=threads,
                verbose=False,
            )
            text, stop = backend.prompt_text(lm, Request(prompt=PROMPT))
        for n in args.ns:
            req = Request(prompt=PROMPT, n=n, temperature=0.8, max_tokens=args.max_tokens, seed=1000)

            def batched() -> int:
                return sum(s.usage.output_tokens for s in backend.generate_sync(req))

            def sequential() -> int:
                return sum(
                    backend.generate_sync(req.with_(n=1, seed=1000 + i))[0].usage.output_tokens
                    for i in range(n)
                )

            def peer_run() -> int:
                total = 0
                for i in range(n):
                    out = peer.create_completion(
                        text,
                        max_tokens=args.max_tokens,
                        temperature=0.8,
                        top_k=40,
                        seed=1000 + i,
                        stop=stop or None,
                    )
                    total += out["usage"]["completion_tokens"]
                return total

            # Interleave the variants across repeats so that load from anything else hits them alike.
            b_rates, s_rates, p_rates = [], [], []
            for _ in range(args.repeats):
                b_rates.append(tok_per_s(batched)[0])
                s_rates.append(tok_per_s(sequential)[0])
                if peer is not None:
                    p_rates.append(tok_per_s(peer_run)[0])
            b, s = max(b_rates), max(s_rates)
            p = max(p_rates) if p_rates else float("nan")
            table.add_row(name, str(n), f"{b:.1f}", f"{s:.1f}", f"{p:.1f}", f"{b / s:.2f}x", f"{b / p:.2f}x")
            console.print(f"{name} n={n}: batched {b:.1f}, sequential {s:.1f}, peer {p:.1f} tok/s")
        del peer
    console.print(table)


if __name__ == "__main__":
    main()
