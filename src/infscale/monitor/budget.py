"""Per-request budgets, enforced before every model call so that they are never exceeded.

Worst cases are charged up front: a call may use its full ``max_tokens`` for every sample, and its input
is bounded by the prompt's UTF-8 byte count (no tokenizer emits more tokens than bytes) plus the chat
template's overhead. When the remaining budget cannot cover a call, ``fit`` shrinks it (fewer samples,
fewer output tokens) or raises ``BudgetExceededError``; strategies catch that and return their best answer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..errors import BudgetExceededError, InvalidRequestError
from ..types import Cost, Request, Sample, Usage

TEMPLATE_OVERHEAD_TOKENS = 64


@dataclass(frozen=True)
class Budget:
    """Limits for one request; None means unlimited. ``deadline_s`` counts from the request's start."""

    max_calls: int | None = None
    max_tokens: int | None = None
    max_usd: float | None = None
    deadline_s: float | None = None

    def __post_init__(self) -> None:
        for k in ("max_calls", "max_tokens"):
            v = getattr(self, k)
            if v is not None and v < 1:
                raise InvalidRequestError(f"budget {k} must be >= 1, got {v}")
        for k in ("max_usd", "deadline_s"):
            v = getattr(self, k)
            if v is not None and v <= 0:
                raise InvalidRequestError(f"budget {k} must be > 0, got {v}")

    @property
    def unlimited(self) -> bool:
        return all(getattr(self, k) is None for k in ("max_calls", "max_tokens", "max_usd", "deadline_s"))


def input_bound(request: Request) -> int:
    """An upper bound on a request's input tokens, without a tokenizer."""
    text = "".join(m["content"] for m in request.chat())
    return len(text.encode("utf-8")) + TEMPLATE_OVERHEAD_TOKENS


@dataclass(frozen=True)
class Reservation:
    """The worst case of one call, held against the budget while the call runs."""

    calls: int
    tokens: int
    usd: float


@dataclass
class BudgetTracker:
    """What a request has spent against its budget (explicit state, shared by every strategy step)."""

    budget: Budget = field(default_factory=Budget)
    started: float = field(default_factory=time.monotonic)
    usage: Usage = field(default_factory=Usage)
    cost: Cost = field(default_factory=Cost)
    exhausted: bool = False
    reserved_calls: int = 0
    reserved_tokens: int = 0
    reserved_usd: float = 0.0

    def remaining_s(self) -> float | None:
        if self.budget.deadline_s is None:
            return None
        return self.budget.deadline_s - (time.monotonic() - self.started)

    def fit(
        self, request: Request, in_tok: int | None = None, price_in: float = 0.0, price_out: float = 0.0
    ) -> tuple[Request, Reservation]:
        """The request shrunk to what the budget can still pay for in the worst case, and its reservation.

        ``in_tok`` bounds the input tokens (the backend knows its prompt format). Raises
        ``BudgetExceededError`` when not even one short sample fits.
        """
        b = self.budget
        n, max_out = request.n, request.max_tokens
        in_tok = input_bound(request) if in_tok is None else in_tok
        if b.deadline_s is not None and (self.remaining_s() or 0) <= 0:
            self._exhaust("deadline reached")
        if b.max_calls is not None:
            left = b.max_calls - self.usage.calls - self.reserved_calls
            if left < 1:
                self._exhaust("max_calls reached")
            n = min(n, left)
        if b.max_tokens is not None:
            left = b.max_tokens - self.usage.total_tokens - self.reserved_tokens
            # Input is reserved once per sample: a server that ignores n bills the prompt per sample.
            n = min(n, max(1, left // max(1, max_out + in_tok)))
            max_out = min(max_out, left // n - in_tok)
            if max_out < 1:
                self._exhaust("max_tokens reached")
        if b.max_usd is not None and (price_in or price_out):
            left_usd = b.max_usd - self.cost.usd - self.reserved_usd
            in_usd = in_tok * price_in / 1e6
            per_tok = price_out / 1e6
            n = min(n, max(1, int(left_usd / (in_usd + per_tok * max_out))))
            max_out = min(max_out, int((left_usd / n - in_usd) / per_tok)) if per_tok else max_out
            if left_usd / n - in_usd <= 0:
                self._exhaust("max_usd reached")
            if max_out < 1:
                self._exhaust("max_usd reached")
        if max_out < 1:
            self._exhaust("budget too small for one token")
        r = Reservation(n, n * (in_tok + max_out), n * (in_tok * price_in + max_out * price_out) / 1e6)
        self.reserved_calls += r.calls
        self.reserved_tokens += r.tokens
        self.reserved_usd += r.usd
        if n != request.n or max_out != request.max_tokens:
            request = request.with_(n=n, max_tokens=max_out)
        return request, r

    def settle(self, r: Reservation, samples: list[Sample]) -> None:
        """Release a reservation and charge what the call really used."""
        self.reserved_calls -= r.calls
        self.reserved_tokens -= r.tokens
        self.reserved_usd -= r.usd
        for s in samples:
            self.usage = self.usage + s.usage
            self.cost = self.cost + s.cost

    def _exhaust(self, why: str) -> None:
        self.exhausted = True
        raise BudgetExceededError(f"budget exhausted: {why}")
