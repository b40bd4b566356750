"""``b12risk demo``: the end-to-end demonstration behind ``make demo``.

simulate a cohort -> train with the default config (gate) -> reviewers' report ->
predict and explain the example patients -> a short summary. Each step says what it
is doing; the long ones show progress bars. The subcommand's parser is at the end.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import pandas as pd

from b12risk.cli.arguments import positive_int
from b12risk.modelling.training import gate_report, train
from b12risk.nhanes.release import measure
from b12risk.paths import CHECKOUT
from b12risk.registry import load_model
from b12risk.serving.explain import waterfall
from b12risk.serving.plots import save
from b12risk.serving.predict import predict
from b12risk.simulation.cohort import write_cohort

__all__ = ["add_parser", "cmd_demo", "examples_dir", "run_demo"]


def examples_dir() -> Path | None:
    """``data/examples/`` of the source checkout, if this is one."""
    folder = CHECKOUT / "data" / "examples"
    return folder if folder.is_dir() else None


def _step(n: int, text: str) -> float:
    print(f"\n[{n}/5] {text}", flush=True)
    return time.perf_counter()


def run_demo(
    out: str | Path = "build/demo",
    *,
    reports: str | Path = "reports",
    config: str | Path | None = None,
    cohort_rows: int = 1_000_000,
) -> dict[str, Any]:
    """Run the whole job on the shipped defaults and return a summary.

    Parameters
    ----------
    out : path
        Working folder: the demo's cohort, model registry and example figures.
    reports : path
        Where the report goes (``<reports>/<version>/report.html``).
    config : path, optional
        Training config; the shipped default if omitted.
    cohort_rows : int
        Size of the demonstration cohort of step 1.

    Returns
    -------
    dict
        ``version`` and ``released`` of the trained model, the English ``report`` page
        and the ``examples`` as (name, probability, risk band).
    """
    out = Path(out)
    (out / "models").mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()

    t = _step(1, f"simulate {cohort_rows:,} patients (us_uk, survey labs) to show the simulator at scale")
    rows = write_cohort(out / "cohort.parquet", cohort_rows, scenario="us_uk", seed=0, labs="survey")
    print(f"      {rows:,} rows -> {out / 'cohort.parquet'} ({time.perf_counter() - t:.0f} s)")

    t = _step(2, "train with the default config, evaluate against the oracle and the baselines, gate")
    # force: a model that fails its gate is still exported, marked unreleased, so the report shows why
    result = train(config, root=out / "models", force=True, real_data=measure)
    print(
        f"      b12risk {result.version} ({'released' if result.released else 'UNRELEASED'}) in {time.perf_counter() - t:.0f} s"
    )
    if result.failures:
        print(gate_report(result.failures))

    t = _step(3, "write the reviewers' report (English and Arabic)")
    # The report's figures and metrics load scikit-learn and matplotlib: not on `import b12risk.cli`.
    from b12risk.reporting.report import build_report

    loaded = load_model(result.path)
    report_dir = Path(reports) / result.version
    html = build_report(loaded, report_dir, language="en")
    html_ar = build_report(loaded, report_dir, language="ar")
    print(f"      {html}\n      {html_ar} ({time.perf_counter() - t:.0f} s)")

    t = _step(4, "predict and explain the example patients")
    examples = []
    folder = examples_dir()
    if folder is None:
        print("      (no data/examples/ here: an installed package has no example files)")
    else:
        (out / "examples").mkdir(exist_ok=True)
        for path in sorted(folder.glob("*.json")):
            p = predict(json.loads(path.read_text()), model=loaded)
            save(waterfall(p), out / "examples" / f"{path.stem}.png")
            examples.append((path.stem, p.probability, p.risk_band))
        for name, prob, band in sorted(examples, key=lambda e: -e[1]):
            print(f"      {prob:6.1%}  {band:<9} {name}")
        print(f"      waterfalls in {out / 'examples'}")

    _step(5, "summary")
    summary = result.metadata["metrics_summary"]
    print(f"      model b12risk {result.version}: {'released' if result.released else 'UNRELEASED'}")
    print(f"      {'level':<13} {'model':>7} {'oracle':>7} {'guideline':>10} {'best baseline':>28}")
    table = result.metrics
    for level, s in summary.items():
        sel = table[(table.level == level) & (table.scorer == "guideline") & (table.metric == "auroc")]
        guideline = f"{sel.estimate.mean():.4f}" if len(sel) else "-"
        base = f"{s['best_baseline']} {s['best_baseline_auroc']:.4f}" if s.get("best_baseline") else "-"
        print(f"      {level:<13} {s['model_auroc']:>7.4f} {s['oracle_auroc']:>7.4f} {guideline:>10} {base:>28}")
    _real_patients(report_dir / "nhanes")
    print(f"      report: {html}")
    print(f"      total {time.perf_counter() - t0:.0f} s. Decision support, not a diagnosis.")
    return {"version": result.version, "released": result.released, "report": html, "examples": examples}


def _real_patients(folder: Path) -> None:
    """The headline of the report's measurement on real patients (the tables it wrote)."""
    path = folder / "performance.csv"
    if not path.is_file():
        return
    perf = pd.read_csv(path)
    cell = perf[(perf["group"] == "2001-2004") & (perf["outcome"] == "raised_mma") & (perf["level"] == "serum_b12")]
    auroc = dict(zip(cell["scorer"], cell["auroc"], strict=True))
    if {"model", "serum_b12"} <= set(auroc):
        print(
            "      real patients (NHANES 2001-2004, raised MMA given serum B12): AUROC model "
            f"{auroc['model']:.3f}, serum B12 alone {auroc['serum_b12']:.3f}"
            + (f", model fitted on the real data {auroc['real_cv']:.3f}" if "real_cv" in auroc else "")
        )


# --------------------------------------------------------------------------- the subcommand


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the demonstration with the arguments' folders, config and cohort size.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``demo`` arguments.

    Returns
    -------
    int
        0 if the model passed its release gate, else 1.
    """
    summary = run_demo(args.out, reports=args.reports, config=args.config, cohort_rows=args.rows)
    return 0 if summary["released"] else 1


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add the ``demo`` subcommand.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The ``b12risk`` parser's subcommands.
    """
    p = sub.add_parser("demo", help="simulate, train (gate), report, predict and explain the examples, end to end")
    p.add_argument("--out", type=Path, default=Path("build/demo"), help="working folder (default: %(default)s)")
    p.add_argument("--reports", type=Path, default=Path("reports"), help="report folder (default: %(default)s)")
    p.add_argument("--config", type=Path, default=None, help="training config (default: the shipped one)")
    p.add_argument("--rows", type=positive_int, default=1_000_000, help="rows of the demonstration cohort")
    p.set_defaults(func=cmd_demo)
