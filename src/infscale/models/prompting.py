"""How a request becomes a model's input, per prompt format.

Base models (Gemma 3 270M here) have no chat template: they continue text. ``fewshot`` frames the request
as the next item of a short list of worked question/answer pairs, so that the continuation is an answer
and stops at the next blank line.
"""

from __future__ import annotations

from ..types import Message, Request

FEWSHOT_EXAMPLES: list[tuple[str, str]] = [
    ("What is the capital of Italy?", "Rome"),
    ("What is 7 plus 5?", "12"),
    ("Is 9 an odd number? Answer yes or no.", "yes"),
    ("Which is heavier, a kilogram of iron or a gram of feathers?", "a kilogram of iron"),
]
FEWSHOT_STOP = ["\n\n", "\nQuestion:", "\nQ:"]


def fewshot_prompt(request: Request, examples: list[tuple[str, str]] | None = None) -> str:
    """A completion prompt: worked examples, then the request's turns, ending in ``Answer:``."""
    shots = FEWSHOT_EXAMPLES if examples is None else examples
    parts: list[str] = []
    if request.system:
        parts.append(request.system.strip() + "\n")
    for q, a in shots:
        parts.append(f"Question: {q}\nAnswer: {a}\n")
    for m in _turns(request):
        if m["role"] == "user":
            parts.append(f"Question: {m['content'].strip()}\nAnswer:")
        elif m["role"] == "assistant":
            parts[-1] = parts[-1] + f" {m['content'].strip()}\n"
    return "\n".join(parts)


def _turns(request: Request) -> list[Message]:
    if request.messages is not None:
        return [m for m in request.messages if m["role"] != "system"]
    return [{"role": "user", "content": request.prompt or ""}]


def raw_prompt(request: Request) -> str:
    """The prompt text as is (chat turns joined plainly)."""
    if request.prompt is not None:
        return (request.system + "\n\n" if request.system else "") + request.prompt
    return "\n\n".join(m["content"] for m in request.chat())
