"""Batched n-sampling versus the same samples generated one after another, on both local models.

For n = 1, 4, 8: output tokens per second of
  - batched:     one request with n samples (one prompt evaluation, n sequences decoded together),
  - sequential:  n requests of one sample each, one after another, same backend, same seeds,
  - peer:        llama-cpp-python's high-level ``Llama.create_completion`` n times (same threads, same prompt).
Then continuous batching: 8 different questions sent concurrently versus one after another.
Printed as ratios measured side by side in one run. Usage:

    .venv/bin/python benchmarks/parallel_sampling.py [--models smollm2-135m gemma3-270m] [--max-tokens 64] [--repeats 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.table import Table

from infscale.models.llamacpp import LlamaCppBackend, resolve_model_path
from infscale.models.registry import Registry
from infscale.models.spec import ModelSpec
from infscale.types import Request

PROMPT = "Write a short poem about the sea."
QUESTIONS = [
    "What is the capital of Japan?",
    "Name three primary colours.",
    "What is 12 plus 30?",
    "Write one sentence about cats.",
    "What is the largest planet?",
    "Give a synonym for happy.",
    "What do bees make?",
    "Describe rain in five words.",
]


def rate(fn: Callable[[], int]) -> float:
    """Output tokens per second of one call of ``fn`` (which returns the tokens it generated)."""
    t0 = time.perf_counter()
    toks = fn()
    return toks / (time.perf_counter() - t0)


def batched(backend: LlamaCppBackend, req: Request) -> int:
    return sum(s.usage.output_tokens for s in backend.generate_sync(req))


def sequential(backend: LlamaCppBackend, req: Request) -> int:
    seed = req.seed or 0
    return sum(
        backend.generate_sync(req.with_(n=1, seed=seed + i))[0].usage.output_tokens for i in range(req.n)
    )


def peer_run(peer: Any, text: str, stop: list[str], req: Request) -> int:
    total = 0
    for i in range(req.n):
        out = peer.create_completion(
            text,
            max_tokens=req.max_tokens,
            temperature=req.temperature,
            top_k=req.top_k,
            seed=(req.seed or 0) + i,
            stop=stop or None,
        )
        total += out["usage"]["completion_tokens"]
    return total


def concurrent(backend: LlamaCppBackend, reqs: list[Request]) -> int:
    async def go() -> int:
        outs = await asyncio.gather(*(backend.generate(r) for r in reqs))
        return sum(o[0].usage.output_tokens for o in outs)

    return asyncio.run(go())


def one_by_one(backend: LlamaCppBackend, reqs: list[Request]) -> int:
    return sum(backend.generate_sync(r)[0].usage.output_tokens for r in reqs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--models",
        nargs="+",
        default=["smollm2-135m", "smollm2-135m@shipped", "gemma3-270m"],
        help="registry names; NAME@shipped runs the GGUF as shipped (no requantization)",
    )
    ap.add_argument("--ns", nargs="+", type=int, default=[1, 4, 8])
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--no-peer", action="store_true", help="skip llama-cpp-python's high-level API baseline")
    args = ap.parse_args()
    console = Console(width=150)
    reg = Registry.load(None)
    threads = os.cpu_count() or 1
    table = Table(
        title=f"n samples of one prompt: output tokens/s ({threads} threads, max {args.max_tokens} tokens)"
    )
    for col in (
        "model",
        "n",
        "batched",
        "sequential",
        "peer (llama-cpp-python)",
        "batched/sequential",
        "batched/peer",
    ):
        table.add_column(col, justify="right")
    conc = Table(title=f"{len(QUESTIONS)} different greedy requests: output tokens/s")
    for col in ("model", "concurrent (continuous batching)", "one after another", "ratio"):
        conc.add_column(col, justify="right")
    for name in args.models:
        if name.endswith("@shipped"):
            base = reg.get(name.removesuffix("@shipped"))
            opts = {k: v for k, v in base.options.items() if k != "requantize"}
            reg.add(
                ModelSpec(name, base.backend, opts, prompt_format=base.prompt_format, context=base.context)
            )
        backend = reg.backend(name)
        assert isinstance(backend, LlamaCppBackend)
        backend.generate_sync(Request(prompt="warm up", max_tokens=4))
        peer = None
        text, stop = "", []
        if not args.no_peer:
            from llama_cpp import Llama

            peer = Llama(
                model_path=str(resolve_model_path(backend.spec.options, name)),
                n_ctx=backend.n_ctx,
                n_threads=threads,
                n_threads_batch=threads,
                verbose=False,
            )
            text, stop = backend.prompt_text(backend.loaded(), Request(prompt=PROMPT))
        for n in args.ns:
            req = Request(prompt=PROMPT, n=n, temperature=0.8, max_tokens=args.max_tokens, seed=1000)
            # Interleave the variants across repeats so that load from anything else hits them alike.
            b_r, s_r, p_r = [], [], []
            for _ in range(args.repeats):
                b_r.append(rate(lambda: batched(backend, req)))  # noqa: B023
                s_r.append(rate(lambda: sequential(backend, req)))  # noqa: B023
                if peer is not None:
                    p_r.append(rate(lambda: peer_run(peer, text, stop, req)))  # noqa: B023
            b, s = max(b_r), max(s_r)
            p = max(p_r) if p_r else float("nan")
            table.add_row(name, str(n), f"{b:.1f}", f"{s:.1f}", f"{p:.1f}", f"{b / s:.2f}x", f"{b / p:.2f}x")
            console.print(f"{name} n={n}: batched {b:.1f}, sequential {s:.1f}, peer {p:.1f} tok/s")
        peer = None  # free its context before the next model
        reqs = [Request(prompt=q, max_tokens=args.max_tokens, temperature=0.0) for q in QUESTIONS]
        c_r, o_r = [], []
        for _ in range(args.repeats):
            c_r.append(rate(lambda: concurrent(backend, reqs)))  # noqa: B023
            o_r.append(rate(lambda: one_by_one(backend, reqs)))  # noqa: B023
        c, o = max(c_r), max(o_r)
        conc.add_row(name, f"{c:.1f}", f"{o:.1f}", f"{c / o:.2f}x")
        console.print(f"{name} concurrent {c:.1f}, one by one {o:.1f} tok/s")
    console.print(table)
    console.print(conc)


if __name__ == "__main__":
    main()
