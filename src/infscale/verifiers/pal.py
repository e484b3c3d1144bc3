"""Program-aided answers and checking: the model writes a Python expression, executing it gives the answer.

The model is shown worked examples of questions turned into expressions (``15 + 27``, ``max(88, 121)``,
``35 % 2 == 1``) and writes one for the question. The expression (or a tiny straight-line program) runs in
the restricted evaluator of ``safe_eval``; programs it refuses run in the sandbox when
``infscale.sandbox`` is available. The value is then read as the question's answer kind: a boolean is
``yes``/``no``, a number a number.

As a verifier, ``pal`` asks its model for ``n`` programs, scores every candidate by the share of executed
programs that agree with it, and proposes the executed answers as candidates of their own.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..extract import normalize_text
from ..strategies.base import Action, Call, Outcome
from ..types import Request, Sample
from .base import Verifier, VerifyContext
from .safe_eval import EvalError, UnsafeCode, parse_program, safe_eval

PAL_SYSTEM = (
    "Translate the question into one Python expression that computes its answer. "
    "Reply with the expression only."
)
#: Worked examples: varied phrasings of arithmetic, comparison and parity (never the benchmark's own).
#: Parity and comparisons use the evaluator's helpers (``odd(35)``, ``greater(88, 121)``): a tiny model
#: copies the question's own word far more reliably than it encodes ``% 2 == 1`` or picks max vs min.
PAL_EXAMPLES: list[tuple[str, str]] = [
    ("How much is 15 plus 27?", "15 + 27"),
    ("Is 35 an odd number? Answer yes or no.", "odd(35)"),
    ("Subtract 6 from 52.", "52 - 6"),
    ("Which is greater, 88 or 121?", "greater(88, 121)"),
    ("What is the product of 4 and 13?", "4 * 13"),
    ("Is 64 even?", "even(64)"),
    ("What do you get when you divide 144 by 12?", "144 / 12"),
    ("Which of 47 and 19 is smaller?", "smaller(47, 19)"),
]
PAL_CUE = "Python expression for: "
PAL_MAX_TOKENS = 24


def pal_messages(question: str) -> list[dict[str, str]]:
    """The few-shot chat: each example as a user turn and the expression as the assistant's reply."""
    msgs: list[dict[str, str]] = []
    for q, code in PAL_EXAMPLES:
        msgs.append({"role": "user", "content": PAL_CUE + q})
        msgs.append({"role": "assistant", "content": code})
    msgs.append({"role": "user", "content": PAL_CUE + question.strip()})
    return msgs


def pal_request(question: str, request: Request, *, n: int, temperature: float, seed: int) -> Request:
    """A request that asks for a program for ``question`` (raw text comes back; we execute it)."""
    meta = dict(request.metadata)
    meta["question"] = question
    meta["answer_kind"] = "raw"
    meta["pal"] = True
    return Request(
        messages=pal_messages(question),
        system=PAL_SYSTEM,
        n=n,
        temperature=temperature,
        top_p=request.top_p,
        top_k=request.top_k,
        max_tokens=min(request.max_tokens, PAL_MAX_TOKENS) if request.max_tokens else PAL_MAX_TOKENS,
        seed=seed,
        stop=["\n\n", "Question:", "Python expression"],
        metadata=meta,
    )


_FENCE = re.compile(r"```(?:python|py)?\s*\n?(.*?)```", re.S)
_LEAD = re.compile(r"^\s*(?:python expression|expression|answer|code)\s*:\s*", re.I)


def program_candidates(text: str) -> list[str]:
    """Pieces of a reply worth trying as a program, most specific first."""
    out: list[str] = []
    fenced = _FENCE.findall(text)
    if fenced:
        out.extend(b.strip() for b in fenced)
    body = _LEAD.sub("", text.strip()).strip("`").strip()
    if body:
        out.append(body)
        first = body.splitlines()[0].strip()
        out.append(first)
        # "76 - 9 = 67": keep the left side (a lone '=' that is not part of a comparison).
        m = re.match(r"^(.*?[^=<>!])=(?!=)(.*)$", first)
        if m and not re.match(r"^\s*[A-Za-z_]\w*\s*$", m.group(1)):
            out.append(m.group(1).strip())
        out.append(first.rstrip(".?!"))
    return [c for c in dict.fromkeys(out) if c]


def run_program(text: str) -> tuple[Any, str | None, str | None]:
    """Execute a model's reply: (value, the code that ran, why it failed)."""
    why: str | None = "no program in the reply"
    for code in program_candidates(text):
        try:
            return safe_eval(code), code, None
        except EvalError as e:
            why = str(e)
    return None, None, why


def undefined_names(tree: Any) -> set[str]:
    """Names a program reads but never defines (and that are not builtins): it would fail anywhere."""
    import ast
    import builtins

    defined: set[str] = set(dir(builtins))
    loaded: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (defined if isinstance(node.ctx, ast.Store | ast.Del) else loaded).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.arg):
            defined.add(node.arg)
        elif isinstance(node, ast.alias):
            defined.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            defined.add(node.name)
    return loaded - defined


def sandbox_code(text: str) -> str | None:
    """The program to run in the sandbox: valid Python that the restricted evaluator refuses (loops,
    functions...); None when the evaluator can run the reply, when no piece of it is Python, or when it
    reads names it never defines (``large(76, 134)``: it would fail in the sandbox too)."""
    import ast

    for code in program_candidates(text):
        try:
            parse_program(code)
            safe_eval(code)
            return None
        except UnsafeCode:
            try:
                tree = ast.parse(code)
            except SyntaxError:
                continue
            return None if undefined_names(tree) else code
        except EvalError:
            continue
    return None


def value_as_answer(value: Any, kind: str) -> Any:
    """An executed value read as an answer of ``kind`` (None when it cannot be one)."""
    if isinstance(value, bool):
        if kind in ("yesno", "choice", "text", "auto"):
            return "yes" if value else "no"
        return None
    if isinstance(value, int | float):
        if isinstance(value, float):
            if not math.isfinite(value):
                return None
            value = int(value) if value.is_integer() and abs(value) < 2**53 else round(value, 9)
        if kind in ("yesno", "choice"):
            return None  # a number answers neither a yes/no question nor a multiple-choice one
        if kind == "text":
            return normalize_text(str(value))
        return value
    if isinstance(value, str):
        if kind == "number":
            from ..extract import extract_number

            return extract_number(value)
        if kind in ("yesno", "choice"):
            from ..extract import extract_choice, extract_yesno

            return extract_yesno(value) if kind == "yesno" else extract_choice(value)
        return normalize_text(value) or None
    return None


def selection(code: str, value: Any) -> Any:
    """``76 > 134`` written for "which is larger, 76 or 134?": a comparison of two numbers selects the
    left one when true, else the right one (``a < b`` selects the smaller the same way). None otherwise."""
    import ast

    try:
        node = ast.parse(code, mode="eval").body
    except SyntaxError:
        return None
    if not (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(value, bool)):
        return None
    if not isinstance(node.ops[0], ast.Gt | ast.Lt | ast.GtE | ast.LtE):
        return None
    try:
        left, right = safe_eval(ast.unparse(node.left)), safe_eval(ast.unparse(node.comparators[0]))
    except EvalError:
        return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (left, right)):
        return None
    return left if value else right


def pal_samples(samples: Sequence[Sample], kind: str) -> list[Sample]:
    """Program-aided samples: each one's answer is its executed program's value (None if it failed)."""
    out = []
    for s in samples:
        if not s.ok:
            out.append(s)
            continue
        value, code, why = run_program(s.text)
        if why is None and code is not None and kind == "number" and isinstance(value, bool):
            picked = selection(code, value)
            value = picked if picked is not None else value
        ans = value_as_answer(value, kind) if why is None else None
        text = f"{code} = {value!r}" if why is None else s.text
        out.append(replace(s, answer=ans, text=text))
    return out


@dataclass
class PalVerifier(Verifier):
    """Program-aided checking: ``n`` programs from ``model`` (or split across ``with_models``, one
    batched call each); a candidate's score is the share of executed programs that agree with it."""

    name = "pal"
    candidate_independent = True  # the programs depend on the question only: callers may reuse them
    model: str | None = None
    n: int = 3
    temperature: float = 0.5
    propose: bool = True
    sandbox: bool = True  # run programs the restricted evaluator refuses in the sandbox (a tool call)
    with_models: list[str] | None = None

    def models(self) -> list[str]:
        return list(self.with_models or []) + ([self.model] if self.model else [])

    def describe(self) -> str:
        ms = self.models()
        who = f"models=[{', '.join(ms)}], " if len(ms) > 1 else (f"model={ms[0]}, " if ms else "")
        return f"pal({who}n={self.n})"

    def _models(self, ctx: VerifyContext) -> list[str]:
        return self.models() or ctx.models[:1]

    def plan(self, candidates: Sequence[Sample], ctx: VerifyContext) -> list[Action]:
        from ..strategies.common import derive_seed, split_counts

        models = self._models(ctx)
        temp = self.temperature if self.n > 1 else 0.0
        acts: list[Action] = []
        for i, (m, k) in enumerate(zip(models, split_counts(self.n, [1.0] * len(models)), strict=True)):
            if k <= 0:
                continue
            seed = derive_seed(ctx.info.seed, ctx.tag, "pal", ctx.round, m)
            req = pal_request(ctx.question, ctx.request, n=k, temperature=temp, seed=seed)
            acts.append(Call(m, req, label=self.label(ctx, i)))
        return acts

    def _programs(self, outcomes: Sequence[Outcome]) -> list[Sample]:
        return [s for o in outcomes if ":pal:" in o.action.label for s in o.samples]

    def followup(
        self, candidates: Sequence[Sample], outcomes: Sequence[Outcome], ctx: VerifyContext
    ) -> list[Action]:
        from ..strategies.common import derive_seed
        from .base import label_index
        from .unit_tests import TOOL_MODEL, program_job

        if not self.sandbox:
            return []
        ran = {label_index(o.action.label) for o in outcomes if ":pal-run:" in o.action.label}
        acts: list[Action] = []
        for k, s in enumerate(self._programs(outcomes)):
            code = sandbox_code(s.text) if s.ok and k not in ran else None
            if code is None:
                continue
            req = Request(
                prompt=f"run program {k}",
                seed=derive_seed(ctx.info.seed, ctx.tag, "pal-run", k),
                metadata={"answer_kind": "raw", "sandbox_job": program_job(code)},
            )
            acts.append(Call(TOOL_MODEL, req, label=f"{ctx.tag}:pal-run:{k}"))
        return acts

    def finish(
        self, candidates: Sequence[Sample], outcomes: Sequence[Outcome], ctx: VerifyContext
    ) -> list[Sample]:
        import json

        from ..strategies.common import answers_equal
        from .base import label_index

        programs = pal_samples(self._programs(outcomes), ctx.kind)
        for o in outcomes:  # values of the programs that ran in the sandbox
            k = label_index(o.action.label) if ":pal-run:" in o.action.label else None
            ran = next((s for s in o.samples if s.ok), None)
            if k is None or ran is None or k >= len(programs):
                continue
            try:
                result = json.loads(ran.text)
            except ValueError:
                continue
            if result.get("status") == "ok":
                value = value_as_answer(result.get("value"), ctx.kind)
                programs[k] = replace(
                    programs[k], answer=value, text=f"{programs[k].text} -> {value!r} (sandbox)"
                )
        values = [s.answer for s in programs if s.ok and s.answer is not None]
        total = max(1, len(programs))

        def agreement(answer: Any) -> float:
            return sum(1 for v in values if answers_equal(v, answer)) / total

        out = [replace(c, score=agreement(c.answer) if c.ok else 0.0) for c in candidates]
        if self.propose:
            out.extend(
                replace(p, score=agreement(p.answer)) for p in programs if p.ok and p.answer is not None
            )
        return out
