"""Answer extraction: map a sample's text to a comparable answer.

Voting and scoring compare answers, not raw text. Extractors are registered by name; ``auto`` picks one
from the question (numbers for arithmetic, yes/no for yes/no questions, short text otherwise).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

Extractor = Callable[[str], Any]
EXTRACTORS: dict[str, Extractor] = {}

_NUM = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?"
_NUM_RE = re.compile(_NUM)
_ANSWER_CUE = re.compile(r"(?:answer|result|equals|is|=)\s*:?\s*\**\s*(" + _NUM + ")", re.I)
_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
}  # fmt: skip


def register(name: str) -> Callable[[Extractor], Extractor]:
    def deco(fn: Extractor) -> Extractor:
        EXTRACTORS[name] = fn
        return fn

    return deco


def _to_number(s: str) -> float | int:
    v = float(s.replace(",", ""))
    return int(v) if v.is_integer() and abs(v) < 2**53 else v


@register("number")
def extract_number(text: str) -> float | int | None:
    """The answer's number: after an explicit cue (``answer: 42``, ``= 42``) if any, else the last number."""
    boxed = re.findall(r"\\boxed\{\s*(" + _NUM + r")\s*\}", text)
    if boxed:
        return _to_number(boxed[-1])
    cued = _ANSWER_CUE.findall(text)
    if cued:
        return _to_number(cued[-1])
    nums = _NUM_RE.findall(text)
    if nums:
        return _to_number(nums[-1] if len(nums) > 1 and len(text) > 40 else nums[0])
    for w in re.findall(r"[a-z]+", text.lower()):
        if w in _WORDS:
            return _WORDS[w]
    return None


@register("yesno")
def extract_yesno(text: str) -> str | None:
    """``yes`` or ``no``: the first such word (models lead with the verdict)."""
    m = re.search(r"\b(yes|no|true|false|correct|incorrect)\b", text.lower())
    if not m:
        return None
    return "yes" if m.group(1) in ("yes", "true", "correct") else "no"


@register("choice")
def extract_choice(text: str) -> str | None:
    """A multiple-choice letter (A-E), or yes/no when the text answers that way."""
    m = re.search(r"(?:answer|option|choice)\s*(?:is)?\s*:?\s*\(?([A-E])\)?\b", text, re.I)
    if m:
        return m.group(1).upper()
    m = re.match(r"\s*\(?([A-E])[\).:\s]", text + " ")
    if m:
        return m.group(1).upper()
    return extract_yesno(text)


_ARTICLES = re.compile(r"\b(the|a|an)\b")


def normalize_text(s: str) -> str:
    s = s.lower().strip()
    s = re.sub(r"[\u2018\u2019\u201c\u201d'\"`*_]", "", s)
    s = _ARTICLES.sub(" ", s)
    s = re.sub(r"[^\w\s-]", " ", s)
    return re.sub(r"\s+", " ", s).strip()


@register("text")
def extract_text(text: str) -> str | None:
    """A short answer, normalised: the first line, minus lead-ins like ``The answer is``."""
    line = next((ln for ln in text.strip().splitlines() if ln.strip()), "")
    line = re.sub(r"^\s*(answer|final answer)\s*:\s*", "", line, flags=re.I)
    line = re.sub(r"^.*?\b(?:answer|capital[^.]*?) is\s+", "", line, flags=re.I)
    line = re.split(r"[.;!\n]|,\s", line)[0]
    out = normalize_text(line)
    return out or None


@register("code")
def extract_code(text: str) -> str | None:
    """The last fenced code block (or the whole text when there is none)."""
    blocks = re.findall(r"```[a-zA-Z0-9_+-]*\n(.*?)```", text, re.S)
    if blocks:
        return blocks[-1].strip()
    return text.strip() or None


@register("json")
def extract_json(text: str) -> Any:
    """The last well-formed JSON object or array in the text."""
    dec = json.JSONDecoder()
    found: Any = None
    i = 0
    while i < len(text):
        if text[i] in "[{":
            try:
                val, end = dec.raw_decode(text, i)
                found, i = val, end
                continue
            except json.JSONDecodeError:
                pass
        i += 1
    return found


@register("raw")
def extract_raw(text: str) -> str | None:
    return text.strip() or None


@register("grid")
def extract_grid(text: str) -> list[list[int]] | None:
    """An ARC grid (the last well-formed one: JSON rows, digit rows or letter rows), via ``infscale.arc``."""
    try:
        from .arc.formats import parse_grid
    except ImportError:  # the arc package is optional: fall back to the last JSON list of int lists
        val = extract_json(text)
        ok = (
            isinstance(val, list)
            and val
            and all(
                isinstance(r, list) and r and all(isinstance(v, int) and 0 <= v <= 9 for v in r) for r in val
            )
        )
        return val if ok else None
    return parse_grid(text)


def guess_kind(question: str) -> str:
    """Which extractor fits a question when none was named."""
    q = question.lower()
    if re.search(r"answer (with )?yes or no|\b(yes or no|true or false)\b", q):
        return "yesno"
    if re.search(r"\boutput grid\b|\btest \d* ?input\b", q):
        return "grid"
    if re.search(r"\(a\)|\ba\)|\boptions?\b.*\bb\b", q):
        return "choice"
    if re.search(r"\d", q) and re.search(
        r"\b(plus|minus|times|sum|difference|product|divided|multipl|larger|smaller|greater|less|how many|how much|"
        r"what is \d|compute|calculate)\b|[-+*/x×]\s*\d",
        q,
    ):
        return "number"
    return "text"


def extract(text: str, kind: str | None = None, question: str = "") -> Any:
    """Extract an answer of ``kind`` (``auto``/None: guessed from the question)."""
    if kind in (None, "auto"):
        kind = guess_kind(question)
    fn = EXTRACTORS.get(kind)
    if fn is None:
        from .errors import ConfigError

        raise ConfigError(f"unknown answer kind {kind!r} (known: {', '.join(sorted(EXTRACTORS))}, auto)")
    return fn(text)
