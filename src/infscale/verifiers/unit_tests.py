"""Unit tests run in the sandbox: a candidate's code plus the tests; the score is the share that pass.

The sandbox is reached as a *tool model*: ``python-sandbox`` (``program`` backend, callable
``sandbox_tool`` below), so each test run is an engine call like any other: it is budgeted, traced
(latency, compute seconds) and runs concurrently with the rest. The pipeline parser registers the tool
model when a pipeline uses ``verifier=tests``. Tests come from the verifier (``tests=[...]``) or from
the request's ``metadata['tests']``; each is a snippet of Python (``assert f(2) == 4``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..errors import ConfigError, SandboxError
from ..extract import extract_code
from ..models.registry import Registry
from ..models.spec import ModelSpec
from ..strategies.base import Action, Call, Outcome
from ..types import Request, Sample
from .base import Verifier, VerifyContext, label_index

TOOL_MODEL = "python-sandbox"

_HARNESS = """

def __infscale_run_tests__(tests):
    results = []
    for src in tests:
        try:
            exec(src, globals())
            results.append(True)
        except BaseException:
            results.append(False)
    return results
"""


def ensure_tool_model(registry: Registry) -> None:
    """Register the sandbox tool model once (idempotent)."""
    if TOOL_MODEL not in registry:
        registry.add(
            ModelSpec(
                name=TOOL_MODEL,
                backend="program",
                options={"callable": "infscale.verifiers.unit_tests:sandbox_tool", "max_concurrency": 2},
                tags=["tool"],
                description="runs model-written code and its unit tests in infscale's sandbox",
            )
        )


_PROGRAM = """

def __infscale_run_program__(code):
    import contextlib
    import io

    ns = {"__name__": "__main__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<model>", "exec"), ns)
        for name in ("__value__", "answer", "result", "ans"):
            if ns.get(name) is not None:
                value = ns[name]
                break
        else:
            value = ns["solution"]() if callable(ns.get("solution")) else None
    if value is None:
        lines = out.getvalue().strip().splitlines()
        value = lines[-1] if lines else None
    return value if isinstance(value, (bool, int, float, str)) else repr(value)
"""


def program_job(code: str, timeout: float = 10.0) -> dict[str, Any]:
    """A sandbox job that runs a model-written program; its last expression is kept as ``__value__``."""
    import ast

    try:
        tree = ast.parse(code)
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = tree.body[-1]
            tree.body[-1] = ast.Assign(targets=[ast.Name("__value__", ast.Store())], value=last.value)
            ast.fix_missing_locations(tree)
            code = ast.unparse(tree)
    except SyntaxError:
        pass  # the sandbox reports it
    return {"mode": "program", "code": code, "timeout": timeout}


async def sandbox_tool(request: Request, index: int) -> dict[str, Any]:
    """The tool model. ``metadata['sandbox_job']``: {code, tests, timeout} runs unit tests (answer: the
    share passed); {mode: "program", code} runs a program (answer: its value, None on failure)."""
    from ..sandbox import Limits, arun

    job = request.metadata.get("sandbox_job")
    if not isinstance(job, dict) or not isinstance(job.get("code"), str):
        raise SandboxError("python-sandbox needs metadata['sandbox_job'] with 'code'")
    limits = Limits(timeout=float(job.get("timeout", 10.0)))
    if job.get("mode") == "program":
        res = await arun(_PROGRAM, "__infscale_run_program__", [job["code"]], limits=limits)
        if not res.ok:
            return {"text": json.dumps({"status": str(res.status), "error": res.error}), "answer": None}
        return {"text": json.dumps({"status": "ok", "value": res.value}), "answer": res.value}
    tests = [str(t) for t in job.get("tests") or []]
    res = await arun(job["code"] + _HARNESS, "__infscale_run_tests__", [tests], limits=limits)
    if not res.ok or not isinstance(res.value, list):
        return {"text": json.dumps({"status": str(res.status), "error": res.error}), "answer": 0.0}
    passed = sum(1 for v in res.value if v is True)
    return {
        "text": json.dumps({"status": "ok", "passed": passed, "total": len(tests)}),
        "answer": passed / len(tests) if tests else 0.0,
    }


@dataclass
class UnitTestVerifier(Verifier):
    name = "tests"
    tests: Any = None  # a list of snippets, or one snippet; None: the request's metadata['tests']
    timeout: float = 10.0

    def models(self) -> list[str]:
        return [TOOL_MODEL]

    def describe(self) -> str:
        n = len(self.tests) if isinstance(self.tests, list) else (1 if self.tests else 0)
        return f"tests({n})" if n else "tests"

    def _tests(self, ctx: VerifyContext) -> list[str]:
        t = self.tests if self.tests is not None else ctx.request.metadata.get("tests")
        if t is None:
            raise ConfigError("verifier 'tests' needs tests=[...] or the request's metadata 'tests'")
        return [str(x) for x in (t if isinstance(t, list) else [t])]

    @staticmethod
    def code_of(c: Sample) -> str | None:
        if isinstance(c.answer, str) and c.answer.strip():
            return c.answer
        return extract_code(c.text)

    def plan(self, candidates: Sequence[Sample], ctx: VerifyContext) -> list[Action]:
        from ..strategies.common import derive_seed

        tests = self._tests(ctx)
        codes: list[str] = []
        for c in candidates:
            code = self.code_of(c) if c.ok else None
            if code and code not in codes:
                codes.append(code)
        acts: list[Action] = []
        for i, code in enumerate(codes):
            req = Request(
                prompt=f"run tests on candidate {i}",
                seed=derive_seed(ctx.info.seed, ctx.tag, "tests", i),
                metadata={
                    "answer_kind": "raw",
                    "sandbox_job": {"code": code, "tests": tests, "timeout": self.timeout},
                },
            )
            acts.append(Call(TOOL_MODEL, req, label=self.label(ctx, i)))
        return acts

    def finish(
        self, candidates: Sequence[Sample], outcomes: Sequence[Outcome], ctx: VerifyContext
    ) -> list[Sample]:
        codes: list[str] = []
        for c in candidates:
            code = self.code_of(c) if c.ok else None
            if code and code not in codes:
                codes.append(code)
        scores: dict[str, float] = {}
        for o in outcomes:
            i = label_index(o.action.label)
            if i is None or i >= len(codes):
                continue
            s = next((s for s in o.samples if s.ok), None)
            if s is not None and isinstance(s.answer, int | float):
                scores[codes[i]] = float(s.answer)
        return [replace(c, score=scores.get(self.code_of(c) or "", 0.0) if c.ok else 0.0) for c in candidates]
