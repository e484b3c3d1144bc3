"""A restricted evaluator for model-written arithmetic: expressions and tiny straight-line programs.

It walks Python's AST and allows only number, boolean and short string constants, arithmetic, comparisons,
boolean logic, conditional expressions, tuples/lists, assignments to plain names, ``print`` and a few pure
functions (``abs``, ``min``, ``max``, ``round``, ``sum``, ``math.sqrt``..., and helpers for tiny models:
``even(n)``, ``odd(n)``, ``larger(a, b)``/``bigger``/``greater``/``higher`` = max, ``smaller``/``lower`` = min). No attribute access except
``math.<function>``, no imports, loops, subscripts, lambdas or comprehensions; sizes are bounded so that
``9 ** 9 ** 9`` is refused instead of computed. Anything else raises ``UnsafeCode``; runtime faults
(division by zero) raise ``EvalFailed``. Programs that need more go to the sandbox (``infscale.sandbox``).
"""

from __future__ import annotations

import ast
import math
import operator
import warnings
from collections.abc import Callable
from typing import Any

MAX_NODES = 400
MAX_STATEMENTS = 40
MAX_INT_BITS = 4096
MAX_SEQ = 1000
MAX_STR = 1000


class EvalError(Exception):
    """Base: the code could not be evaluated."""


class UnsafeCode(EvalError):
    """The code uses something outside the allowed subset."""


class EvalFailed(EvalError):
    """Allowed code that failed at run time (division by zero, overflow, wrong types)."""


def _check_num(v: Any) -> Any:
    if isinstance(v, bool):
        return v
    if isinstance(v, int) and v.bit_length() > MAX_INT_BITS:
        raise EvalFailed("integer too large")
    if isinstance(v, float) and not math.isfinite(v):
        raise EvalFailed("result is not finite")
    if isinstance(v, str) and len(v) > MAX_STR:
        raise EvalFailed("string too long")
    if isinstance(v, tuple | list) and len(v) > MAX_SEQ:
        raise EvalFailed("sequence too long")
    return v


def _pow(a: Any, b: Any) -> Any:
    if isinstance(a, int | float) and isinstance(b, int | float):
        if isinstance(b, int) and isinstance(a, int) and b > 0:
            if b > 10_000 or max(1, abs(a).bit_length()) * b > MAX_INT_BITS:
                raise EvalFailed("power too large")
        elif abs(b) > 10_000:
            raise EvalFailed("power too large")
    return operator.pow(a, b)


def _mul(a: Any, b: Any) -> Any:
    if isinstance(a, str | tuple | list) or isinstance(b, str | tuple | list):
        n = b if isinstance(a, str | tuple | list) else a
        seq = a if isinstance(a, str | tuple | list) else b
        if not isinstance(n, int) or len(seq) * max(n, 0) > MAX_SEQ:
            raise EvalFailed("repetition too large")
    return operator.mul(a, b)


_BINOPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: _mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: _pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
    ast.Not: operator.not_,
}
_CMP: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


def _factorial(n: Any) -> int:
    if not isinstance(n, int) or n < 0 or n > 300:
        raise EvalFailed("factorial argument out of range")
    return math.factorial(n)


def _round(x: Any, nd: Any = None) -> Any:
    return round(x) if nd is None else round(x, nd)


def _integer(x: Any) -> int:
    if isinstance(x, bool) or not isinstance(x, int | float) or x != int(x):
        raise EvalFailed(f"{x!r} is not an integer")
    return int(x)


# A small library for program-aided answers: a tiny model can copy the question's own word ("even",
# "larger") instead of encoding the logic (``% 2 == 0``, ``max``), which it gets wrong more often.
_LARGER = (
    *("large", "larger", "largest", "big", "bigger", "biggest", "great", "greater", "greatest"),
    *("high", "higher", "highest", "more"),
)
_SMALLER = (
    "small",
    "smaller",
    "smallest",
    "low",
    "lower",
    "lowest",
    "less",
    "lesser",
    "least",
    "few",
    "fewer",
)
_HELPERS: dict[str, Callable[..., Any]] = {
    "even": lambda x: _integer(x) % 2 == 0,
    "is_even": lambda x: _integer(x) % 2 == 0,
    "odd": lambda x: _integer(x) % 2 == 1,
    "is_odd": lambda x: _integer(x) % 2 == 1,
    **{w: max for w in _LARGER},
    **{w: min for w in _SMALLER},
}


_FUNCS: dict[str, Callable[..., Any]] = {
    "abs": abs,
    "min": min,
    "max": max,
    "round": _round,
    "sum": sum,
    "len": len,
    "int": int,
    "float": float,
    "bool": bool,
    "str": str,
    "pow": lambda a, b: _pow(a, b),
    "divmod": divmod,
    "sorted": sorted,
    **_HELPERS,
}
_MATH: dict[str, Callable[..., Any]] = {
    "sqrt": math.sqrt,
    "isqrt": math.isqrt,
    "floor": math.floor,
    "ceil": math.ceil,
    "gcd": math.gcd,
    "lcm": math.lcm,
    "factorial": _factorial,
    "log": math.log,
    "log10": math.log10,
    "log2": math.log2,
    "exp": math.exp,
    "fabs": math.fabs,
}
_CONSTS = {"True": True, "False": False, "None": None, "pi": math.pi, "e": math.e}


class _Evaluator:
    def __init__(self) -> None:
        self.env: dict[str, Any] = {}
        self.printed: list[Any] = []

    def run(self, tree: ast.Module) -> Any:
        last: Any = None
        have = False
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign):
                if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
                    raise UnsafeCode("only assignments to a plain name are allowed")
                self.env[stmt.targets[0].id] = self.eval(stmt.value)
            elif isinstance(stmt, ast.AugAssign):
                if not isinstance(stmt.target, ast.Name) or stmt.target.id not in self.env:
                    raise UnsafeCode("augmented assignment to an unknown name")
                op = _BINOPS.get(type(stmt.op))
                if op is None:
                    raise UnsafeCode(f"operator {type(stmt.op).__name__} is not allowed")
                self.env[stmt.target.id] = self._apply(op, self.env[stmt.target.id], self.eval(stmt.value))
            elif isinstance(stmt, ast.Expr):
                last, have = self.eval(stmt.value), True
            else:
                raise UnsafeCode(f"{type(stmt).__name__} statements are not allowed")
        if self.printed:
            return self.printed[-1]
        if have:
            return last
        for name in ("answer", "result", "ans", "solution"):
            if name in self.env:
                return self.env[name]
        if self.env:
            return list(self.env.values())[-1]
        raise EvalFailed("the program computes nothing")

    @staticmethod
    def _apply(fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return _check_num(fn(*args))
        except EvalError:
            raise
        except (ArithmeticError, TypeError, ValueError) as e:
            raise EvalFailed(f"{type(e).__name__}: {e}") from None

    def eval(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool | int | float | str) or node.value is None:
                return _check_num(node.value)
            raise UnsafeCode(f"constant of type {type(node.value).__name__} is not allowed")
        if isinstance(node, ast.Name):
            if node.id in self.env:
                return self.env[node.id]
            if node.id in _CONSTS:
                return _CONSTS[node.id]
            raise UnsafeCode(f"unknown name {node.id!r}")
        if isinstance(node, ast.BinOp):
            op = _BINOPS.get(type(node.op))
            if op is None:
                raise UnsafeCode(f"operator {type(node.op).__name__} is not allowed")
            return self._apply(op, self.eval(node.left), self.eval(node.right))
        if isinstance(node, ast.UnaryOp):
            uop = _UNARY.get(type(node.op))
            if uop is None:
                raise UnsafeCode(f"operator {type(node.op).__name__} is not allowed")
            return self._apply(uop, self.eval(node.operand))
        if isinstance(node, ast.BoolOp):
            vals = [self.eval(v) for v in node.values]
            out = vals[0]
            for v in vals[1:]:
                out = (out and v) if isinstance(node.op, ast.And) else (out or v)
            return out
        if isinstance(node, ast.Compare):
            left = self.eval(node.left)
            for op_node, right_node in zip(node.ops, node.comparators, strict=True):
                cmp = _CMP.get(type(op_node))
                if cmp is None:
                    raise UnsafeCode(f"comparison {type(op_node).__name__} is not allowed")
                right = self.eval(right_node)
                if not self._apply(cmp, left, right):
                    return False
                left = right
            return True
        if isinstance(node, ast.IfExp):
            return self.eval(node.body) if self.eval(node.test) else self.eval(node.orelse)
        if isinstance(node, ast.Tuple | ast.List):
            vals = [self.eval(e) for e in node.elts]
            return _check_num(tuple(vals) if isinstance(node, ast.Tuple) else vals)
        if isinstance(node, ast.Call):
            return self._call(node)
        raise UnsafeCode(f"{type(node).__name__} is not allowed")

    def _call(self, node: ast.Call) -> Any:
        fn: Callable[..., Any] | None = None
        if isinstance(node.func, ast.Name):
            if node.func.id == "print":
                vals = [self.eval(a) for a in node.args]
                self.printed.append(vals[0] if len(vals) == 1 else tuple(vals))
                return None
            fn = _FUNCS.get(node.func.id) or _MATH.get(node.func.id)
        elif (
            isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "math"
        ):
            fn = _MATH.get(node.func.attr)
        if fn is None:
            raise UnsafeCode(f"call to {ast.unparse(node.func)!r} is not allowed")
        if node.keywords:
            raise UnsafeCode("keyword arguments are not allowed")
        args = [self.eval(a) for a in node.args]
        return self._apply(fn, *args)


def parse_program(source: str) -> ast.Module:
    """Parse and check the size and the allowed subset; raise ``UnsafeCode`` or ``EvalFailed``."""
    try:
        with warnings.catch_warnings():  # model text like "3x" must not print SyntaxWarnings
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(source, mode="exec")
    except (SyntaxError, ValueError) as e:
        raise EvalFailed(f"syntax error: {e}") from None
    if len(tree.body) > MAX_STATEMENTS:
        raise UnsafeCode("program too long")
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise UnsafeCode("program too large")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and not (
            isinstance(node.value, ast.Name) and node.value.id == "math" and node.attr in _MATH
        ):
            raise UnsafeCode("attribute access is not allowed")
        if isinstance(node, ast.Name) and node.id.startswith("__"):
            raise UnsafeCode("dunder names are not allowed")
    # ``import math`` is the one import a model often writes: drop it (math functions are built in).
    tree.body = [
        s for s in tree.body if not (isinstance(s, ast.Import) and [a.name for a in s.names] == ["math"])
    ]
    return tree


def safe_eval(source: str) -> Any:
    """The value of an expression, or of a straight-line program (its last expression or ``print``)."""
    return _Evaluator().run(parse_program(source))
