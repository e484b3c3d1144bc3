"""Any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp's server, OpenRouter, ...).

Options: ``base_url``, ``model`` (the endpoint's model id; defaults to the registry name), ``api_key_env``
(the name of the environment variable holding the key), ``max_concurrency`` (default 8), ``max_retries``
(default 4), ``timeout`` (seconds, default 120), ``supports_n`` (default ``"auto"``: ask for ``n`` and fill
the missing choices with concurrent requests when the server returns fewer, as llama.cpp's server does).
Retries with exponential backoff on 429, 5xx and timeouts; connection failures raise
``EndpointUnreachableError`` after the retries.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from typing import Any

import openai

from ..errors import (
    BackendError,
    ConfigError,
    EndpointUnreachableError,
    InvalidRequestError,
    RateLimitedError,
)
from ..types import Request, Sample, Usage
from .base import Backend
from .prompting import fewshot_prompt, raw_prompt
from .spec import ModelSpec

RETRYABLE = (
    openai.RateLimitError,
    openai.InternalServerError,
    openai.APITimeoutError,
    openai.APIConnectionError,
)


class OpenAICompatBackend(Backend):
    kind = "openai_compat"

    def __init__(self, spec: ModelSpec) -> None:
        super().__init__(spec)
        o = spec.options
        if not o.get("base_url"):
            raise ConfigError(f"model {spec.name!r}: openai_compat needs a 'base_url'")
        self.base_url: str = o["base_url"]
        self.remote_model: str = o.get("model", spec.name)
        self.api_key_env: str | None = o.get("api_key_env")
        self.max_concurrency = int(o.get("max_concurrency", 8))
        self.max_retries = int(o.get("max_retries", 4))
        self.timeout = float(o.get("timeout", 120.0))
        self.backoff_s = float(o.get("backoff_s", 0.5))
        self.supports_n: str | bool = o.get("supports_n", "auto")
        self._client: openai.AsyncOpenAI | None = None

    def availability(self) -> tuple[bool, str]:
        if self.api_key_env and not os.environ.get(self.api_key_env):
            return False, f"environment variable {self.api_key_env} is not set"
        return True, ""

    @property
    def client(self) -> openai.AsyncOpenAI:
        if self._client is None:
            key = os.environ.get(self.api_key_env, "") if self.api_key_env else ""
            # Retries are ours (to classify errors and count them), so the SDK's own are off.
            self._client = openai.AsyncOpenAI(
                base_url=self.base_url, api_key=key or "none", max_retries=0, timeout=self.timeout
            )
        return self._client

    async def generate(self, request: Request) -> list[Sample]:
        request.validate()
        ok, why = self.availability()
        if not ok:
            raise BackendError(f"model {self.spec.name!r} is not usable: {why}")
        want_n = request.n if self.supports_n is not False else 1
        samples = (await self._call(request, want_n, seed=request.seed))[: request.n]
        # Servers that ignore n (llama.cpp's) return one choice: fill the rest concurrently, each with its
        # own seed so that the samples differ and stay reproducible.
        missing = request.n - len(samples)
        if missing > 0:
            base = request.seed if request.seed is not None else random.randrange(2**31)
            seeds = [base + len(samples) + i for i in range(missing)]
            extra = await asyncio.gather(
                *(self._call(request, 1, seed=s) for s in seeds), return_exceptions=True
            )
            for r, s in zip(extra, seeds, strict=True):
                if isinstance(r, BaseException):
                    samples.append(
                        Sample(text="", model=self.spec.name, seed=s, error=f"{type(r).__name__}: {r}")
                    )
                else:
                    samples.append(r[0])
        for i, smp in enumerate(samples):
            smp.index = i
        return samples

    async def _call(self, request: Request, n: int, seed: int | None) -> list[Sample]:
        kwargs: dict[str, Any] = {
            "model": self.remote_model,
            "temperature": request.temperature,
            "top_p": request.top_p,
            "max_tokens": request.max_tokens,
        }
        if n > 1:
            kwargs["n"] = n
        if seed is not None:
            kwargs["seed"] = seed
        if request.stop:
            kwargs["stop"] = request.stop[:4]
        if request.logprobs:
            kwargs["logprobs"] = True
        use_chat = self.spec.prompt_format == "chat"
        if use_chat:
            kwargs["messages"] = request.chat()
        else:
            kwargs["prompt"] = (
                fewshot_prompt(request) if self.spec.prompt_format == "fewshot" else raw_prompt(request)
            )
        attempt = 0
        while True:
            t0 = time.perf_counter()
            try:
                async with self.semaphore:
                    if use_chat:
                        resp: Any = await self.client.chat.completions.create(**kwargs)
                    else:
                        resp = await self.client.completions.create(**kwargs)
                break
            except RETRYABLE as e:
                attempt += 1
                if attempt > self.max_retries:
                    raise self._classify(e) from None
                delay = self.backoff_s * (2 ** (attempt - 1)) * (1 + random.random() * 0.25)
                await asyncio.sleep(min(delay, 30.0))
            except openai.BadRequestError as e:
                raise InvalidRequestError(
                    f"{self.spec.name}: endpoint rejected the request: {e.message}"
                ) from None
            except openai.APIStatusError as e:
                raise BackendError(
                    f"{self.spec.name}: endpoint answered {e.status_code}: {e.message}"
                ) from None
        latency_ms = (time.perf_counter() - t0) * 1000
        return self._samples(resp, use_chat, latency_ms, seed)

    def _classify(self, e: Exception) -> Exception:
        name = self.spec.name
        if isinstance(e, openai.RateLimitError):
            return RateLimitedError(
                f"{name}: rate limited by {self.base_url} after {self.max_retries} retries"
            )
        if isinstance(e, openai.APITimeoutError):
            return EndpointUnreachableError(
                f"{name}: {self.base_url} timed out after {self.max_retries} retries"
            )
        if isinstance(e, openai.APIConnectionError):
            return EndpointUnreachableError(f"{name}: cannot reach {self.base_url} ({e.__cause__ or e})")
        return BackendError(f"{name}: {self.base_url} failed after {self.max_retries} retries: {e}")

    def _samples(self, resp: Any, chat: bool, latency_ms: float, seed: int | None) -> list[Sample]:
        choices = list(resp.choices or [])
        u = resp.usage
        n = max(1, len(choices))
        in_tok = int(getattr(u, "prompt_tokens", 0) or 0)
        out_tok_total = int(getattr(u, "completion_tokens", 0) or 0)
        out: list[Sample] = []
        for i, c in enumerate(choices):
            text = (c.message.content or "") if chat else (c.text or "")
            logprob = _sum_logprobs(c.logprobs, chat)
            out_tok = out_tok_total // n + (1 if i < out_tok_total % n else 0)
            usage = Usage(input_tokens=in_tok if i == 0 else 0, output_tokens=out_tok, calls=1)
            out.append(
                Sample(
                    text=text,
                    model=self.spec.name,
                    index=i,
                    usage=usage,
                    cost=self.spec.cost_of(usage),
                    latency_ms=latency_ms,
                    finish_reason=c.finish_reason or "stop",
                    logprob=logprob,
                    seed=seed,
                )
            )
        return out

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None


def _sum_logprobs(lp: Any, chat: bool) -> float | None:
    if lp is None:
        return None
    if chat:
        content = getattr(lp, "content", None)
        if not content:
            return None
        return float(sum(t.logprob for t in content))
    vals = getattr(lp, "token_logprobs", None)
    if not vals:
        return None
    return float(sum(v for v in vals if v is not None))
