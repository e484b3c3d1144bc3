"""``report.html``: one self-contained page with the summary table and plots (inline SVG images).

Plots: coverage versus k per pipeline with its fitted scaling law, accuracy versus cost with the Pareto
front, and accuracy by kind. matplotlib (Agg) draws them; each is embedded as a ``data:image/svg+xml``
image so the page needs no other file and SVG ids of different plots cannot clash.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .scaling import ScalingFit

REPORT_FILE = "report.html"
MAX_TASK_ROWS = 500

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1200px;
color:#1f2328;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
.meta{color:#57606a;font-size:.9rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:right}
th{background:#f6f8fa}td.l,th.l{text-align:left}
tr.pareto td:first-child{font-weight:600}
.plots{display:flex;flex-wrap:wrap;gap:1rem}
figure.plot{margin:0;flex:0 1 560px;border:1px solid #d0d7de;border-radius:6px;padding:.5rem;background:#fff}
figure.plot img{width:100%;height:auto;display:block}
figure.plot.wide{flex:1 1 100%}
figcaption{font-size:.85rem;color:#57606a;margin-top:.3rem}
.ok{color:#1a7f37}.bad{color:#cf222e}.warn{background:#fff8c5;padding:.5rem;border-radius:6px}
code{font-size:.85em}
"""


def _label(i: int, spec: str, width: int = 42) -> str:
    short = spec if len(spec) <= width else spec[: width - 1] + "\u2026"
    return f"P{i + 1}: {short}"


def _svg_img(fig: Any, plot_id: str, alt: str) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img id="{plot_id}" alt="{html.escape(alt)}" src="data:image/svg+xml;base64,{data}">'


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "infscale", "svg.fonttype": "none", "font.size": 9})
    return plt


def coverage_figure(summary: Mapping[str, Any], fits: Sequence[ScalingFit]) -> Any:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    fit_by = {f.pipeline: f for f in fits}
    for i, p in enumerate(summary["pipelines"]):
        ks, cov = p["coverage"]["k"], p["coverage"]["value"]
        color = f"C{i % 10}"
        if ks:
            ax.plot(ks, cov, "o-", color=color, ms=3, lw=1.2, label=_label(i, p["pipeline"]))
        f = fit_by.get(p["pipeline"])
        if f is not None and f.a is not None and f.status == "ok" and ks:
            import numpy as np

            xs = np.geomspace(1, max(ks) * 4, 120)
            ax.plot(
                xs,
                [f.predict(x) for x in xs],
                "--",
                color=color,
                lw=1,
                label=f"P{i + 1} fit (R\u00b2={f.r2:.3f})" if f.r2 is not None else f"P{i + 1} fit",
            )
        per = p["samples"]["per_task"] or 1
        ax.plot([per], [p["selected_accuracy"]], "*", color=color, ms=11, mec="black", mew=0.5)
    ax.set_xscale("log")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("samples per task k (log scale)")
    ax.set_ylabel("coverage@k (unbiased pass@k)")
    ax.set_title("Coverage versus samples (\u2605 = selected accuracy)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    return fig


def cost_figure(summary: Mapping[str, Any]) -> Any:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    key, label = summary["cost_axis"]["key"], summary["cost_axis"]["label"]
    front = []
    for i, p in enumerate(summary["pipelines"]):
        x, y = p["cost"][key] or 0.0, p["selected_accuracy"] or 0.0
        ax.scatter(
            [x],
            [y],
            s=45,
            color=f"C{i % 10}",
            edgecolor="black",
            lw=0.5,
            zorder=3,
            label=_label(i, p["pipeline"]),
        )
        ax.annotate(f"P{i + 1}", (x, y), textcoords="offset points", xytext=(5, 5), fontsize=8)
        if p.get("pareto"):
            front.append((x, y))
    if front:
        front.sort()
        xs = [front[0][0]]
        ys = [front[0][1]]
        for x, y in front[1:]:
            xs += [x, x]
            ys += [ys[-1], y]
        ax.plot(xs, ys, "-", color="black", lw=1, alpha=0.6, zorder=2, label="Pareto front")
    ax.set_xlabel(label)
    ax.set_ylabel("selected accuracy")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title("Accuracy versus cost")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    return fig


def kind_figure(summary: Mapping[str, Any]) -> Any:
    plt = _plt()
    import numpy as np

    kinds = sorted({k for p in summary["pipelines"] for k in p["by_kind"]})
    n = max(len(summary["pipelines"]), 1)
    fig, ax = plt.subplots(figsize=(max(6.4, min(16.0, 1.0 + 0.25 * n * len(kinds))), 3.6))
    x = np.arange(len(kinds))
    width = 0.8 / n
    for i, p in enumerate(summary["pipelines"]):
        vals = [(p["by_kind"].get(k) or {}).get("selected_accuracy") or 0.0 for k in kinds]
        ax.bar(
            x + i * width - 0.4 + width / 2, vals, width, color=f"C{i % 10}", label=_label(i, p["pipeline"])
        )
    ax.set_xticks(x)
    ax.set_xticklabels(
        kinds, rotation=30 if len(kinds) > 8 else 0, ha="right" if len(kinds) > 8 else "center"
    )
    ax.set_ylim(0, 1.0)
    ax.set_ylabel("selected accuracy")
    ax.set_title("Accuracy by kind")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return fig


def _fmt(v: Any, nd: int = 3) -> str:
    if v is None:
        return "\u2013"
    if isinstance(v, float):
        return f"{v:.{nd}f}"
    return html.escape(str(v))


def _summary_table(summary: Mapping[str, Any]) -> str:
    arc = summary["suite"] == "arc"
    head = [
        "pipeline",
        "tasks",
        "failed",
        "missing",
        "ARC score" if arc else "selected acc.",
        "coverage@1",
        "coverage@n",
        "n",
        "sel. efficiency",
        "USD",
        "tokens",
        "model-s",
        "calls",
        "p50 ms",
        "p95 ms",
    ]
    rows = []
    for i, p in enumerate(summary["pipelines"]):
        cov = p["coverage"]["value"]
        cells = [
            f'<td class="l" title="{html.escape(p["pipeline"])}">{html.escape(_label(i, p["pipeline"], 60))}'
            + (" \u25c6" if p.get("pareto") else "")
            + "</td>",
            f"<td>{p['tasks']}</td>",
            f'<td class="{"bad" if p["failed"] else ""}">{p["failed"]}</td>',
            f"<td>{p['missing']}</td>",
            f"<td><b>{_fmt(p['selected_accuracy'])}</b></td>",
            f"<td>{_fmt(cov[0] if cov else None)}</td>",
            f"<td>{_fmt(p['coverage_at_n'])}</td>",
            f"<td>{p['samples']['max']}</td>",
            f"<td>{_fmt(p['selection_efficiency'])}</td>",
            f"<td>{_fmt(p['cost']['usd'], 4)}</td>",
            f"<td>{p['cost']['total_tokens']}</td>",
            f"<td>{_fmt(p['cost']['model_seconds'], 1)}</td>",
            f"<td>{p['model_calls']}</td>",
            f"<td>{_fmt(p['latency_ms']['p50'], 0)}</td>",
            f"<td>{_fmt(p['latency_ms']['p95'], 0)}</td>",
        ]
        rows.append(f'<tr class="{"pareto" if p.get("pareto") else ""}">{"".join(cells)}</tr>')
    ths = "".join(f'<th class="{"l" if h == "pipeline" else ""}">{h}</th>' for h in head)
    note = '<p class="meta">\u25c6 on the accuracy/cost Pareto front. Failed and missing tasks score 0.</p>'
    if arc:
        extra = "".join(
            f"<li>{html.escape(_label(i, p['pipeline']))}: score {_fmt(p['arc']['score'])} over {p['arc']['tasks']} "
            f"tasks; over the whole split of {p['arc']['split_size']}: {_fmt(p['arc']['official_score'])}"
            + ("" if p["arc"]["full_split"] else " (subset run: not an official figure)")
            + "</li>"
            for i, p in enumerate(summary["pipelines"])
        )
        note += f"<ul>{extra}</ul>"
    return f'<table class="summary"><thead><tr>{ths}</tr></thead><tbody>{"".join(rows)}</tbody></table>{note}'


def _fit_table(fits: Sequence[ScalingFit], summary: Mapping[str, Any]) -> str:
    rows = []
    index = {p["pipeline"]: i for i, p in enumerate(summary["pipelines"])}
    for f in fits:
        k = f.samples_for_target
        rows.append(
            "<tr>"
            f'<td class="l">{html.escape(_label(index.get(f.pipeline, 0), f.pipeline, 60))}</td>'
            f'<td class="l">{html.escape(f.status)}</td><td>{_fmt(f.a, 4)}</td><td>{_fmt(f.b, 4)}</td>'
            f"<td>{_fmt(f.r2)}</td><td>{_fmt(f.r2_log)}</td><td>{_fmt(f.rmse, 4)}</td><td>{f.points}</td>"
            f"<td>{_fmt(k, 1) if k is not None else 'not reachable' if f.status == 'ok' else _fmt(None)}</td>"
            f'<td class="l">{html.escape(f.message)}</td></tr>'
        )
    target = fits[0].target if fits else 0.9
    head = (
        '<tr><th class="l">pipeline</th><th class="l">status</th><th>a</th><th>b</th><th>R\u00b2</th>'
        f'<th>R\u00b2 (log)</th><th>RMSE</th><th>points</th><th>k for {_fmt(target, 2)} coverage</th><th class="l">note</th></tr>'
    )
    return (
        '<p class="meta">Fit: log coverage(k) = a\u00b7k<sup>b</sup> (Large Language Monkeys), '
        "least squares in log space.</p>"
        f'<table class="fits"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _task_table(
    summary: Mapping[str, Any],
    tasks: Sequence[Mapping[str, Any]],
    records: Mapping[tuple[str, str], Mapping[str, Any]],
) -> str:
    specs = [p["pipeline"] for p in summary["pipelines"]]
    head = '<th class="l">task</th><th class="l">kind</th>' + "".join(
        f"<th>P{i + 1}</th>" for i in range(len(specs))
    )
    rows = []
    for t in tasks[:MAX_TASK_ROWS]:
        cells = []
        for spec in specs:
            rec = records.get((spec, t["id"]))
            if rec is None:
                cells.append('<td title="not run">\u00b7</td>')
            elif rec.get("status") != "ok":
                cells.append(f'<td class="bad" title="{html.escape(str(rec.get("error")))}">failed</td>')
            else:
                sc = float(rec.get("score", 0.0))
                n, c = len(rec.get("sample_correct") or []), sum(rec.get("sample_correct") or [])
                cls = "ok" if sc >= 1.0 else "bad" if sc == 0 else ""
                ans = html.escape(json.dumps(rec.get("answer"))[:200])
                cells.append(f'<td class="{cls}" title="answer: {ans}">{sc:.2g} ({c}/{n})</td>')
        rows.append(
            f'<tr><td class="l">{html.escape(t["id"])}</td><td class="l">{html.escape(str(t.get("kind") or ""))}</td>{"".join(cells)}</tr>'
        )
    more = (
        f'<p class="meta">first {MAX_TASK_ROWS} of {len(tasks)} tasks</p>'
        if len(tasks) > MAX_TASK_ROWS
        else ""
    )
    return f'<p class="meta">score (correct samples / samples) per task and pipeline.</p><table class="tasks"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>{more}'


def render_report(
    summary: Mapping[str, Any],
    fits: Sequence[ScalingFit],
    tasks: Sequence[Mapping[str, Any]],
    records: Mapping[tuple[str, str], Mapping[str, Any]],
) -> str:
    """The report page as a string."""
    plots = [
        ("plot-coverage", coverage_figure(summary, fits), "Coverage versus samples with fitted scaling laws"),
        ("plot-cost", cost_figure(summary), "Selected accuracy versus cost with the Pareto front"),
        ("plot-kind", kind_figure(summary), "Selected accuracy by kind"),
    ]
    figures = "".join(
        f'<figure class="plot{" wide" if pid == "plot-kind" else ""}">{_svg_img(fig, pid, cap)}'
        f"<figcaption>{html.escape(cap)}</figcaption></figure>"
        for pid, fig, cap in plots
    )
    cfg = summary.get("suite_config") or {}
    meta = " \u00b7 ".join(
        html.escape(str(x))
        for x in (
            f"suite {summary['suite']}",
            f"{summary['tasks']} tasks",
            f"seed {summary.get('seed')}",
            f"created {summary.get('created')}",
            f"data {cfg.get('data')}" if cfg.get("data") else None,
        )
        if x
    )
    failures = [(i, f) for i, p in enumerate(summary["pipelines"]) for f in p.get("failures", [])[:10]]
    fail_html = ""
    if failures:
        items = "".join(
            f"<li>P{i + 1} <code>{html.escape(f['task_id'])}</code>: {html.escape(f['error'])}</li>"
            for i, f in failures
        )
        fail_html = f"<h2>Failures</h2><ul>{items}</ul>"
    partial = (
        '<p class="warn">This run is incomplete: missing tasks score 0 until it is resumed with <code>--resume</code>.</p>'
        if not summary.get("complete", True)
        else ""
    )
    versions = html.escape(", ".join(f"{k} {v}" for k, v in (summary.get("versions") or {}).items() if v))
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        f"<title>infscale bench: {html.escape(summary['suite'])}</title><style>{CSS}</style></head><body>"
        f"<h1>infscale bench: {html.escape(summary['suite'])}</h1><p class=meta>{meta}</p>{partial}"
        f"<h2>Summary</h2>{_summary_table(summary)}"
        f'<h2>Plots</h2><div class="plots">{figures}</div>'
        f"<h2>Scaling laws</h2>{_fit_table(fits, summary)}"
        f"{fail_html}<h2>Tasks</h2>{_task_table(summary, tasks, records)}"
        f"<footer><p class=meta>{versions}</p></footer></body></html>"
    )


def write_report(
    out_dir: Path,
    summary: Mapping[str, Any],
    fits: Sequence[ScalingFit],
    tasks: Sequence[Mapping[str, Any]],
    records: Mapping[tuple[str, str], Mapping[str, Any]],
) -> Path:
    path = out_dir / REPORT_FILE
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(render_report(summary, fits, tasks, records), encoding="utf-8")
    tmp.replace(path)
    return path
