"""The ``qa`` suite: short questions with checkable answers from a JSONL file.

Each line is an object with ``id``, ``question``, ``answer`` (a value or a list of acceptable values),
``checker`` (``number``, ``text``, ``choice``, ``regex``, or ``python:module:function`` /
``python:file.py:function`` relative to the data file) and optionally ``kind`` and ``choices``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ...errors import ConfigError, DataError
from ...types import Completion, Request
from ..checkers import ANSWER_KIND, BUILTIN_CHECKERS, Checker, PythonChecker, load_python_checker
from .base import BenchTask, Suite, SuiteOptions, TaskScore

DEFAULT_SYSTEM = "Answer with only the final answer, no explanation."
DEFAULT_MAX_TOKENS = 64


class QASuite(Suite):
    name = "qa"
    description = "questions with checkable answers from a JSONL file (--data FILE.jsonl)"
    accepts = frozenset({"data", "tasks", "max_tokens", "temperature"})
    extra_options = frozenset({"system"})

    def __init__(self, options: SuiteOptions) -> None:
        super().__init__(options)
        if options.data is None:
            raise ConfigError("suite 'qa' needs --data FILE.jsonl")
        self.path = options.data
        self.system = options.extra.get("system", DEFAULT_SYSTEM) or None
        self._python: dict[str, PythonChecker] = {}

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "data": str(self.path.resolve()), "system": self.system}

    def load(self) -> list[BenchTask]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise DataError(f"no such data file: {self.path}") from None
        except IsADirectoryError:
            raise DataError(f"{self.path} is a directory; qa needs a JSONL file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(f"cannot read {self.path}: {exc}") from None
        tasks: list[BenchTask] = []
        seen: set[str] = set()
        for lineno, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{self.path}:{lineno}"
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{where}: malformed JSON ({exc.msg} at column {exc.colno})") from None
            task = self._task(item, where)
            if task.id in seen:
                raise DataError(f"{where}: duplicate id {task.id!r}")
            seen.add(task.id)
            tasks.append(task)
        if not tasks:
            raise DataError(f"{self.path} holds no questions")
        return tasks

    def _task(self, item: Any, where: str) -> BenchTask:
        if not isinstance(item, dict):
            raise DataError(f"{where}: each line must be a JSON object")
        for key in ("id", "question", "answer", "checker"):
            if key not in item:
                raise DataError(f"{where}: missing field {key!r}")
        tid, question, checker = item["id"], item["question"], item["checker"]
        if not isinstance(tid, str | int) or isinstance(tid, bool) or str(tid) == "":
            raise DataError(f"{where}: 'id' must be a non-empty string or integer")
        if not isinstance(question, str) or not question.strip():
            raise DataError(f"{where}: 'question' must be a non-empty string")
        if item["answer"] is None or item["answer"] == []:
            raise DataError(f"{where}: 'answer' must not be empty")
        if not isinstance(checker, str):
            raise DataError(f"{where}: 'checker' must be a string")
        if checker not in BUILTIN_CHECKERS and not checker.startswith("python:"):
            raise DataError(
                f"{where}: unknown checker {checker!r}; expected number, text, choice, regex or python:module:function"
            )
        if checker == "regex":
            for pat in item["answer"] if isinstance(item["answer"], list) else [item["answer"]]:
                try:
                    re.compile(str(pat))
                except re.error as exc:
                    raise DataError(f"{where}: 'answer' is not a valid regex: {exc}") from None
        if checker.startswith("python:"):
            target = checker[len("python:") :]
            if target not in self._python:
                self._python[target] = load_python_checker(target, self.path.parent)
        kind = item.get("kind")
        if kind is not None and not isinstance(kind, str):
            raise DataError(f"{where}: 'kind' must be a string")
        choices = item.get("choices")
        if choices is not None and (
            not isinstance(choices, list) or not all(isinstance(c, str) for c in choices)
        ):
            raise DataError(f"{where}: 'choices' must be a list of strings")
        family = checker if checker in BUILTIN_CHECKERS else "python"
        metadata: dict[str, Any] = {
            "answer_kind": ANSWER_KIND[family],
            "suite": self.name,
            "task_id": str(tid),
        }
        if kind:
            metadata["kind"] = kind
        if choices:
            metadata["choices"] = choices
        req = Request(prompt=question, system=self.system, metadata=metadata)
        if self.options.max_tokens is not None:
            req.max_tokens = self.options.max_tokens
        else:
            req.max_tokens = DEFAULT_MAX_TOKENS
        if self.options.temperature is not None:
            req.temperature = self.options.temperature
        return BenchTask(id=str(tid), request=req, reference=item["answer"], kind=kind, data=item)

    def _checker(self, task: BenchTask) -> Checker:
        item = task.data
        name: str = item["checker"]
        python = self._python.get(name[len("python:") :]) if name.startswith("python:") else None
        choices = item.get("choices")
        return Checker(
            name="python" if python else name,
            reference=item["answer"],
            question=item["question"],
            options=tuple(choices) if choices else None,
            python=python,
            item=item,
        )

    def score(self, task: BenchTask, completion: Completion) -> TaskScore:
        checker = self._checker(task)
        sample_correct = [s.ok and checker.judge(s.answer, s.text) for s in completion.samples]
        selected = checker.judge(completion.answer, completion.text)
        return TaskScore(
            score=1.0 if selected else 0.0,
            sample_correct=sample_correct,
            answer=_jsonable(completion.answer),
            sample_answers=[_jsonable(s.answer) for s in completion.samples],
        )


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)
