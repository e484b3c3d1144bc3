"""Plain typed data shared by every layer: requests, samples, completions, usage, cost and traces."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import InvalidRequestError

Message = dict[str, str]


@dataclass
class Usage:
    """Tokens and calls spent."""

    input_tokens: int = 0
    output_tokens: int = 0
    calls: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.calls + other.calls,
        )

    def to_dict(self) -> dict[str, int]:
        return {**asdict(self), "total_tokens": self.total_tokens}


@dataclass
class Cost:
    """Money (from the registry's prices) and compute seconds (what local models cost)."""

    usd: float = 0.0
    compute_s: float = 0.0

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.usd + other.usd, self.compute_s + other.compute_s)

    def to_dict(self) -> dict[str, float]:
        return {"usd": round(self.usd, 10), "compute_s": round(self.compute_s, 6)}


@dataclass
class Request:
    """One generation request. ``prompt`` is raw text; ``messages`` a chat; exactly one is needed."""

    prompt: str | None = None
    messages: list[Message] | None = None
    system: str | None = None
    n: int = 1
    temperature: float = 0.0
    top_p: float = 1.0
    top_k: int = 40
    max_tokens: int = 256
    seed: int | None = None
    stop: list[str] = field(default_factory=list)
    logprobs: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)

    def validate(self) -> Request:
        """Raise ``InvalidRequestError`` on out-of-range options; return self."""
        if (self.prompt is None) == (self.messages is None):
            raise InvalidRequestError("a request needs exactly one of 'prompt' or 'messages'")
        if self.messages is not None:
            if not self.messages:
                raise InvalidRequestError("'messages' must not be empty")
            for i, m in enumerate(self.messages):
                if not isinstance(m, dict) or "role" not in m or "content" not in m:
                    raise InvalidRequestError(f"messages[{i}] needs 'role' and 'content'")
                if m["role"] not in ("system", "user", "assistant"):
                    raise InvalidRequestError(f"messages[{i}].role must be system, user or assistant")
        if not 1 <= self.n <= 256:
            raise InvalidRequestError(f"n must be between 1 and 256, got {self.n}")
        if not (0.0 <= self.temperature <= 5.0) or math.isnan(self.temperature):
            raise InvalidRequestError(f"temperature must be between 0 and 5, got {self.temperature}")
        if not 0.0 < self.top_p <= 1.0:
            raise InvalidRequestError(f"top_p must be in (0, 1], got {self.top_p}")
        if self.top_k < 0:
            raise InvalidRequestError(f"top_k must be >= 0, got {self.top_k}")
        if not 1 <= self.max_tokens <= 131072:
            raise InvalidRequestError(f"max_tokens must be between 1 and 131072, got {self.max_tokens}")
        if self.seed is not None and not 0 <= self.seed < 2**63:
            raise InvalidRequestError(f"seed must be a non-negative integer, got {self.seed}")
        return self

    def chat(self) -> list[Message]:
        """The request as chat messages (a raw prompt becomes one user turn)."""
        msgs: list[Message] = []
        if self.system:
            msgs.append({"role": "system", "content": self.system})
        if self.messages is not None:
            msgs.extend(self.messages)
        else:
            msgs.append({"role": "user", "content": self.prompt or ""})
        return msgs

    def user_text(self) -> str:
        """The last user turn (or the prompt): what answer extraction and caching key on."""
        if self.prompt is not None:
            return self.prompt
        for m in reversed(self.messages or []):
            if m["role"] == "user":
                return m["content"]
        return ""

    def with_(self, **changes: Any) -> Request:
        """A copy with some fields changed."""
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d.update(changes)
        return Request(**d)


@dataclass
class Sample:
    """One generation from one model."""

    text: str
    model: str
    index: int = 0
    answer: Any = None
    usage: Usage = field(default_factory=Usage)
    cost: Cost = field(default_factory=Cost)
    latency_ms: float = 0.0
    finish_reason: str = "stop"
    logprob: float | None = None  # sum of the chosen tokens' log-probabilities
    seed: int | None = None
    cached: str | None = None  # cache level that served it, if any
    error: str | None = None
    score: float | None = None  # verifier score, when one ran

    @property
    def mean_logprob(self) -> float | None:
        if self.logprob is None or self.usage.output_tokens == 0:
            return None
        return self.logprob / self.usage.output_tokens

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "answer": self.answer,
            "model": self.model,
            "index": self.index,
            "usage": self.usage.to_dict(),
            "cost": self.cost.to_dict(),
            "latency_ms": round(self.latency_ms, 3),
            "finish_reason": self.finish_reason,
            "logprob": self.logprob,
            "seed": self.seed,
            "cached": self.cached,
            "error": self.error,
            "score": self.score,
        }


@dataclass
class Trace:
    """A node of the trace tree: a strategy step, a model call, a verifier, a cache lookup."""

    name: str
    kind: str = "strategy"  # strategy | call | verify | cache
    usage: Usage = field(default_factory=Usage)
    cost: Cost = field(default_factory=Cost)
    latency_ms: float = 0.0
    cache: str | None = None
    error: str | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    children: list[Trace] = field(default_factory=list)

    def add(self, child: Trace) -> Trace:
        self.children.append(child)
        return child

    def rollup(self) -> Trace:
        """Set usage and cost of every inner node to the sum of its children's; return self."""
        if self.children:
            u, c = Usage(), Cost()
            for ch in self.children:
                ch.rollup()
                u, c = u + ch.usage, c + ch.cost
            self.usage, self.cost = u, c
        return self

    def calls(self) -> list[Trace]:
        """Every model-call leaf, depth first."""
        if self.kind == "call":
            return [self]
        out: list[Trace] = []
        for ch in self.children:
            out.extend(ch.calls())
        return out

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "usage": self.usage.to_dict(),
            "cost": self.cost.to_dict(),
            "latency_ms": round(self.latency_ms, 3),
        }
        if self.cache:
            d["cache"] = self.cache
        if self.error:
            d["error"] = self.error
        if self.attrs:
            d["attrs"] = self.attrs
        if self.children:
            d["children"] = [c.to_dict() for c in self.children]
        return d


@dataclass
class Completion:
    """What a model or a pipeline answers: the chosen answer, every sample behind it, and the trace."""

    answer: Any
    text: str
    samples: list[Sample]
    trace: Trace
    usage: Usage = field(default_factory=Usage)
    cost: Cost = field(default_factory=Cost)
    latency_ms: float = 0.0
    budget_exhausted: bool = False
    confidence: float | None = None
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "text": self.text,
            "confidence": self.confidence,
            "samples": [s.to_dict() for s in self.samples],
            "usage": self.usage.to_dict(),
            "cost": self.cost.to_dict(),
            "latency_ms": round(self.latency_ms, 3),
            "budget_exhausted": self.budget_exhausted,
            "errors": self.errors,
            "trace": self.trace.to_dict(),
        }
