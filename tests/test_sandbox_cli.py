"""`infscale sandbox run` and `infscale sandbox check` through typer's runner (real sandbox)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from infscale.sandbox.cli import app

runner = CliRunner()


def _write(tmp_path: Path, code: str) -> str:
    path = tmp_path / "prog.py"
    path.write_text(code)
    return str(path)


def test_run_prints_value_and_output(tmp_path: Path) -> None:
    prog = _write(tmp_path, "def solve(a, b=1):\n    print('hello')\n    return a * b\n")
    res = runner.invoke(app, ["run", prog, "--function", "solve", "--input", "[6, 7]"])
    assert res.exit_code == 0, res.output
    assert "ok" in res.output and "value: 42" in res.output and "hello" in res.output


def test_run_json_with_keyword_input(tmp_path: Path) -> None:
    prog = _write(tmp_path, "def main(x):\n    return {'x': x}\n")
    res = runner.invoke(app, ["run", prog, "--input", '{"x": [1, 2]}', "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["status"] == "ok" and data["value"] == {"x": [1, 2]} and data["weak"] is False
    assert {"status", "value", "stdout", "stderr", "wall_time", "cpu_time", "isolation", "missing"} <= set(
        data
    )


def test_run_reports_non_ok_status_with_exit_1(tmp_path: Path) -> None:
    prog = _write(tmp_path, "def main():\n    while True:\n        pass\n")
    res = runner.invoke(app, ["run", prog, "--timeout", "0.5", "--json"])
    assert res.exit_code == 1
    assert json.loads(res.stdout)["status"] == "timeout"
    prog = _write(tmp_path, "def main():\n    return len(bytearray(2**31))\n")
    res = runner.invoke(app, ["run", prog, "--memory", "64"])
    assert res.exit_code == 1 and "memory" in res.output


def test_run_bad_inputs_are_one_line_errors(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["run", str(tmp_path / "nope.py")])
    assert missing.exit_code == 2 and missing.stderr.startswith("error: cannot read")
    assert len(missing.stderr.strip().splitlines()) == 1
    prog = _write(tmp_path, "def main():\n    return 1\n")
    bad_json = runner.invoke(app, ["run", prog, "--input", "{oops"])
    assert bad_json.exit_code == 2 and "not valid JSON" in bad_json.stderr
    bad_limit = runner.invoke(app, ["run", prog, "--timeout", "-1"])
    assert bad_limit.exit_code == 2 and "timeout" in bad_limit.stderr
    bad_name = runner.invoke(app, ["run", prog, "--function", "no such"])
    assert bad_name.exit_code == 2 and "identifier" in bad_name.stderr


def test_check_reports_mechanisms_and_probes() -> None:
    res = runner.invoke(app, ["check", "--json"])
    data = json.loads(res.stdout)
    names = {m["name"] for m in data["mechanisms"]}
    assert {"seccomp", "landlock", "rlimits", "no_new_privs", "unprivileged"} <= names
    assert data["probes"] and all(p["passed"] for p in data["probes"]), data["probes"]
    assert res.exit_code == (0 if data["strict_ok"] else 1)
    human = runner.invoke(app, ["check", "--no-probes"])
    assert "isolation mechanisms" in human.stdout and "seccomp" in human.stdout
