"""A registry entry: what a model is, how to run it and what it costs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..types import Cost, Usage

PROMPT_FORMATS = ("chat", "fewshot", "raw")


@dataclass
class ModelSpec:
    """One named model.

    ``price_in``/``price_out`` are USD per million input/output tokens (0 for local models, whose compute
    seconds are still counted). ``prompt_format`` says how a request becomes the model's input: ``chat``
    (the model's chat template or the endpoint's chat API), ``fewshot`` (a completion prompt with worked
    examples, for base models without a chat template), or ``raw`` (the prompt text as is).
    """

    name: str
    backend: str
    options: dict[str, Any] = field(default_factory=dict)
    price_in: float = 0.0
    price_out: float = 0.0
    tier: int = 0
    context: int = 2048
    tags: list[str] = field(default_factory=list)
    prompt_format: str = "chat"
    description: str = ""
    source: str = "builtin"

    def cost_of(self, usage: Usage, compute_s: float = 0.0) -> Cost:
        usd = (usage.input_tokens * self.price_in + usage.output_tokens * self.price_out) / 1e6
        return Cost(usd=usd, compute_s=compute_s)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "backend": self.backend,
            "options": self.options,
            "price_in": self.price_in,
            "price_out": self.price_out,
            "tier": self.tier,
            "context": self.context,
            "tags": self.tags,
            "prompt_format": self.prompt_format,
            "description": self.description,
            "source": self.source,
        }
