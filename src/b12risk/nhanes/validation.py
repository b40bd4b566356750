"""External validation of a b12risk model on real US adults (NHANES).

For each cycle group (each cycle alone, and 2001-2004 pooled: the same assays), each
reference outcome (:mod:`b12risk.nhanes.outcomes`) and each information level NHANES
supports, every scorer is evaluated on the same rows:

- ``model``: the b12risk model's probability;
- ``real_cv``: a gradient-boosting model fitted *on the real data*, same fields, scored
  out of fold (5-fold cross-validation): what these fields can reach;
- ``serum_b12``: serum B12 alone (lower = riskier), where the level shows it;
- ``guideline``, ``cb12``, ``risk_factor_score``: the rules-based baselines, fitted on a
  simulated us_uk cohort as in training, at the levels training compares them.

The fields an outcome is built from are hidden from every scorer; a level is skipped when
hiding them would empty it or leave a panel the model never saw (a full panel without
serum B12). Prevalences, calibration and net benefit are survey-weighted; AUROC with its
DeLong 95% interval is unweighted (the weighted AUROC is reported beside it).

Examples
--------
>>> from b12risk.nhanes.validation import validate
>>> result = validate(cycles=["2011-2012"], simulated_n=20_000)   # doctest: +SKIP
>>> result.performance.query("scorer == 'model'")[["outcome", "level", "auroc"]]   # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from b12risk.errors import ConfigError
from b12risk.knowledge import LEVELS
from b12risk.modelling.scorers import BASELINE_LEVELS
from b12risk.modelling.scorers import VALIDATION_SCORERS as SCORERS
from b12risk.nhanes import stats
from b12risk.nhanes.adapter import CYCLES, load_adults, model_columns, supplement_name_agreement
from b12risk.nhanes.outcomes import OUTCOMES, Outcome

__all__ = ["FILES", "GROUPS", "LEVELS_SUPPORTED", "SCORERS", "TABLES", "ExternalValidation", "validate"]

#: Cycle groups evaluated: each cycle, and the two cycles of the 1999-2006 assays pooled.
GROUPS: dict[str, tuple[str, ...]] = {
    "2001-2002": ("2001-2002",),
    "2003-2004": ("2003-2004",),
    "2001-2004": ("2001-2002", "2003-2004"),
    "2011-2012": ("2011-2012",),
}

#: Information levels NHANES can fill (it records no symptoms).
LEVELS_SUPPORTED: tuple[str, ...] = ("risk_factors", "serum_b12", "full_panel")


#: A baseline is shown for a cell only where it applies to at least this share of its rows.
_MIN_APPLIES = 0.95

#: The tables of an :class:`ExternalValidation`, each written as ``<name>.csv``.
TABLES: tuple[str, ...] = ("performance", "decision", "marginals", "adapter", "outcomes")
#: The files :meth:`ExternalValidation.write` leaves in its folder.
FILES: tuple[str, ...] = (*(f"{t}.csv" for t in TABLES), "summary.json")

#: Decision-curve thresholds (probability of the outcome at which one would test or treat).
THRESHOLDS = np.round(np.arange(0.01, 0.3001, 0.01), 4)


@dataclass
class ExternalValidation:
    """What :func:`validate` measured; :meth:`write` saves it as tables."""

    model_version: str
    performance: pd.DataFrame
    decision: pd.DataFrame
    marginals: pd.DataFrame
    adapter: pd.DataFrame
    outcomes: pd.DataFrame
    notes: dict[str, Any] = field(default_factory=dict)

    def write(self, folder: str | os.PathLike[str]) -> list[Path]:
        """Write every table as CSV, plus ``summary.json``; return the paths (:data:`FILES`)."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for name in TABLES:
            path = out / f"{name}.csv"
            getattr(self, name).to_csv(path, index=False, float_format="%.6g", lineterminator="\n")
            paths.append(path)
        summary = {"model_version": self.model_version, "notes": self.notes}
        path = out / "summary.json"
        path.write_text(json.dumps(summary, indent=2, sort_keys=True, default=_plain) + "\n")
        paths.append(path)
        return paths

    @classmethod
    def read(cls, folder: str | os.PathLike[str]) -> ExternalValidation:
        """The validation :meth:`write` saved in ``folder`` (as ``b12risk validate --nhanes`` writes it).

        Empty cells read as NaN, every other text as written.

        Raises
        ------
        ConfigError
            If one of :data:`FILES` is missing from ``folder``, or ``summary.json`` is not JSON.
        """
        path = Path(folder)
        missing = [n for n in FILES if not (path / n).is_file()]
        if missing:
            raise ConfigError(
                f"{path}: expected the NHANES validation tables ({', '.join(FILES)}; b12risk validate --nhanes "
                f"writes them), missing {', '.join(missing)}"
            )
        tables = {}
        for name in TABLES:
            try:
                tables[name] = pd.read_csv(path / f"{name}.csv", keep_default_na=False, na_values=[""])
            except pd.errors.EmptyDataError:  # an empty table is written as an empty file
                tables[name] = pd.DataFrame()
        try:
            summary = json.loads((path / "summary.json").read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path / 'summary.json'}: not JSON ({exc})") from None
        return cls(model_version=str(summary.get("model_version", "")), notes=summary.get("notes", {}), **tables)

    def summary_text(self) -> str:
        """A plain-text summary: AUROC (95% CI) of each scorer and the model's O/E, per group."""
        lines = [f"b12risk {self.model_version} on real US adults (NHANES); AUROC unweighted (DeLong 95% CI)"]
        for group in ("2001-2004", "2011-2012"):
            t = self.performance[self.performance["group"] == group]
            if t.empty:
                continue
            lines.append(f"\n{group}")
            for (outcome, level), cell in t.groupby(["outcome", "level"], sort=False):
                parts = [
                    f"{r.scorer} {r.auroc:.3f} ({r.auroc_lo:.3f}-{r.auroc_hi:.3f})"
                    for r in cell.itertuples(index=False)
                ]
                model = cell[cell["scorer"] == "model"]
                oe = f"; model O/E {model['oe'].iloc[0]:.2f}" if not model.empty else ""
                lines.append(
                    f"  {outcome} @ {level} (n {cell['n'].iloc[0]}, events {cell['events'].iloc[0]}): "
                    + ", ".join(parts)
                    + oe
                )
        return "\n".join(lines)

    def headline(self, group: str = "2001-2004") -> pd.DataFrame:
        """AUROC per outcome x level (rows) and scorer (columns) for one group."""
        t = self.performance[self.performance["group"] == group]
        return t.pivot_table(index=["outcome", "level"], columns="scorer", values="auroc", sort=False)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# --------------------------------------------------------------------------- levels and masking


def _level_fields() -> dict[str, list[str]]:
    from b12risk.knowledge.schema import features

    given = set(model_columns())
    feats = features()
    return {
        level: [n for n, f in feats.items() if n in given and LEVELS.index(f.level) <= LEVELS.index(level)]
        for level in LEVELS_SUPPORTED
    }


def evaluable_levels(outcome: Outcome) -> list[str]:
    """Levels at which ``outcome`` can be judged without circularity.

    A level is kept unless the outcome uses a field observed below it (hiding it would
    leave a panel the model never saw, e.g. a full panel without serum B12), or uses a
    field of the level itself and no other field of that level remains.
    """
    from b12risk.knowledge.schema import features

    feats = features()
    fields = _level_fields()
    out = []
    for level in LEVELS_SUPPORTED:
        rank = LEVELS.index(level)
        own = [n for n in fields[level] if feats[n].level == level]
        ok = True
        for name in outcome.uses:
            used = LEVELS.index(feats[name].level)
            if used < rank or (used == rank and not [n for n in own if n not in outcome.uses]):
                ok = False
        if ok:
            out.append(level)
    return out


def _shown(level: str, outcome: Outcome) -> list[str]:
    return [n for n in _level_fields()[level] if n not in outcome.uses]


# --------------------------------------------------------------------------- scorers


def _model_probability(loaded: Any, frame: pd.DataFrame, shown: list[str]) -> tuple[np.ndarray, int]:
    from b12risk.serving.predict import predict

    out = predict(frame[shown], model=loaded, explain=False)
    warned = int(out["warnings"].map(bool).sum())
    return out["probability"].to_numpy(dtype=np.float64), warned


def _numeric(frame: pd.DataFrame, shown: list[str]) -> np.ndarray:
    cols = []
    for name in shown:
        col = frame[name]
        if name == "sex":
            cols.append(col.map({"male": 1.0, "female": 0.0}).astype("float64").to_numpy())
        elif name == "region":
            continue  # one value in NHANES
        else:
            cols.append(
                pd.to_numeric(col.astype(object).where(col.notna(), np.nan), errors="coerce")
                .astype("float64")
                .to_numpy()
            )
    return np.column_stack(cols)


def _real_cv(frame: pd.DataFrame, shown: list[str], y: np.ndarray, seed: int) -> np.ndarray:
    """Out-of-fold probabilities of a gradient-boosting model fitted on the real rows."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import StratifiedKFold

    X = _numeric(frame, shown)
    X = X[:, [np.unique(c[np.isfinite(c)]).size > 1 for c in X.T]]  # drop columns unmeasured or constant here
    out = np.full(len(y), np.nan)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    for train, test in folds.split(X, y):
        model = HistGradientBoostingClassifier(
            learning_rate=0.1,
            max_iter=100,
            max_leaf_nodes=8,
            min_samples_leaf=50,
            l2_regularization=1.0,
            early_stopping=False,
            categorical_features=None,
            random_state=seed,
        )
        model.fit(X[train], y[train])
        out[test] = model.predict_proba(X[test])[:, 1]
    return out


# --------------------------------------------------------------------------- marginals


def _bands(age: np.ndarray, edges: tuple[float, ...], labels: tuple[str, ...]) -> np.ndarray:
    return np.asarray(pd.cut(age, bins=[*edges, np.inf], right=False, labels=labels).astype(object))


def _marginal_rows(frame: pd.DataFrame, w: np.ndarray) -> dict[tuple[str, str], float]:
    b12 = frame["serum_b12_pmol_l"].to_numpy(dtype=np.float64)
    mma = frame["mma_umol_l"].to_numpy(dtype=np.float64)
    egfr = frame["egfr_ml_min"].to_numpy(dtype=np.float64)
    age = frame["age"].to_numpy(dtype=np.float64)
    has = np.isfinite(b12)
    out: dict[tuple[str, str], float] = {}
    for q in (5, 25, 50, 75, 95):
        out[(f"serum B12 p{q} (pmol/L)", "20+")] = stats.weighted_quantile(b12, w, q / 100)
    bands = _bands(age, (20, 40, 60), ("20-39", "40-59", "60+"))
    for band in ("20+", "20-39", "40-59", "60+"):
        rows = has & ((bands == band) if band != "20+" else True)
        out[("share serum B12 < 148", band)] = stats.weighted_share(b12[rows] < 148, w[rows])
        out[("share serum B12 148-221", band)] = stats.weighted_share((b12[rows] >= 148) & (b12[rows] < 221), w[rows])
    mband = _bands(age, (20, 40, 60, 70), ("20-39", "40-59", "60-69", "70+"))
    for band in ("20-39", "40-59", "60-69", "70+"):
        rows = np.isfinite(mma) & (mband == band)
        out[("MMA median (umol/L)", band)] = stats.weighted_quantile(mma[rows], w[rows], 0.5)
    rows = np.isfinite(mma) & (egfr >= 60)
    out[("share MMA > 0.271 (eGFR >= 60)", "20+")] = stats.weighted_share(mma[rows] > 0.271, w[rows])
    out[("share eGFR < 60", "20+")] = stats.weighted_share(egfr[np.isfinite(egfr)] < 60, w[np.isfinite(egfr)])
    taking = (
        ("supplement_use", "B12 supplement"),
        ("metformin_years", "metformin"),
        ("ppi_years", "PPI"),
        ("h2_blocker_years", "H2 blocker"),
    )
    for col, label in taking:
        v = frame[col].astype("float64").to_numpy()
        ok = np.isfinite(v)
        out[(f"share taking {label}", "20+")] = stats.weighted_share(v[ok] > 0, w[ok])
    met = frame["metformin_years"].to_numpy(dtype=np.float64)
    for label, rows in (("metformin users", has & (met > 0)), ("no metformin", has & (met == 0))):
        out[("share serum B12 < 148", label)] = stats.weighted_share(b12[rows] < 148, w[rows])
    sd = np.sqrt(stats.weighted_mean((np.log(b12[has]) - stats.weighted_mean(np.log(b12[has]), w[has])) ** 2, w[has]))
    out[("sd of log serum B12", "20+")] = float(sd)
    return out


def _marginals(real: pd.DataFrame, sim: pd.DataFrame, groups: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    sim_adults = sim[sim["age"] >= 20]
    sim_rows = _marginal_rows(sim_adults, np.ones(len(sim_adults)))
    rows = []
    for group, cycles in groups.items():
        if len(cycles) == 1 and group in ("2001-2002", "2003-2004"):
            continue  # the pooled 2001-2004 row carries the 1999-2006 assays
        part = real[real["cycle"].isin(cycles)]
        real_rows = _marginal_rows(part, part["weight"].to_numpy() / len(cycles))
        for (metric, stratum), value in real_rows.items():
            s = sim_rows[(metric, stratum)]
            rows.append(
                {
                    "group": group,
                    "metric": metric,
                    "stratum": stratum,
                    "real": value,
                    "simulated": s,
                    "ratio": s / value if value else math.nan,
                }
            )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- the adapter summary


def _adapter_table(real: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for cycle in CYCLES:
        part = real[real["cycle"] == cycle]
        if part.empty:
            continue
        w = part["weight"].to_numpy()
        row: dict[str, Any] = {"cycle": cycle, "adults": len(part)}
        for col in ("serum_b12_pmol_l", "mma_umol_l", "hcy_umol_l", "egfr_ml_min", "mcv_fl"):
            row[f"with {col}"] = int(part[col].notna().sum())
        row["age top-coded"] = int(part["age_topcoded"].sum())
        for col in ("supplement_use", "diabetes", "pregnant"):
            v = part[col].astype("float64").to_numpy()
            row[f"weighted share {col}"] = stats.weighted_share(v, w)
        for col in ("metformin_years", "ppi_years", "h2_blocker_years"):
            v = part[col].to_numpy(dtype=np.float64)
            row[f"weighted share {col} > 0"] = stats.weighted_share(np.where(np.isfinite(v), v > 0, np.nan), w)
            row[f"{col} missing"] = int(np.isnan(v).sum())
        row["b12_method"] = part["b12_method"].iloc[0]
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- validate


def _cell_metrics(y: np.ndarray, score: np.ndarray, prob: np.ndarray | None, w: np.ndarray) -> dict[str, float]:
    auc, lo, hi = stats.auroc_delong(y, score)
    row = {"auroc": auc, "auroc_lo": lo, "auroc_hi": hi, "auroc_weighted": stats.weighted_auroc(y, score, w)}
    if prob is not None:
        cal = stats.weighted_calibration(y, prob, w)
        row |= {k: cal[k] for k in ("predicted", "oe", "intercept", "slope")}
    return row


def validate(
    model: Any = None,
    *,
    cycles: list[str] | None = None,
    directory: str | os.PathLike[str] | None = None,
    simulated_n: int = 200_000,
    seed: int = 0,
) -> ExternalValidation:
    """Measure a b12risk model on real US adults (NHANES), against reference outcomes.

    Parameters
    ----------
    model : LoadedModel, version string or path, optional
        The model to measure (a version or folder is loaded and verified by
        :func:`b12risk.load_model`); the shipped latest release by default.
    cycles : list of str, optional
        NHANES cycles to use; all shipped ones by default.
    directory : str or Path, optional
        Folder of NHANES tables (CDC's .XPT files or CSV copies); the shipped one by default.
    simulated_n : int, default 200000
        Size of the simulated us_uk cohort (labs measured for all) that the baselines and
        the cB12 imputation are fitted on and that the real marginals are compared with.
    seed : int, default 0
        Seed of that cohort and of the cross-validation folds; equal arguments give
        equal results.

    Returns
    -------
    ExternalValidation
        Tables ``performance`` (one row per group x outcome x level x scorer; for each
        scorer but the model, ``model_minus`` is the model's AUROC minus this scorer's on
        the same rows, with DeLong's paired 95% interval, and ``weighted_minus`` the same
        difference survey-weighted, with its design-based standard error
        ``weighted_minus_se`` and degrees of freedom ``weighted_minus_df``
        (:func:`b12risk.nhanes.stats.weighted_auroc_difference`)), ``decision`` (survey-weighted
        net benefit), ``marginals`` (real vs simulated), ``adapter`` (counts and
        weighted shares per cycle) and ``outcomes``.
    """
    from b12risk import registry
    from b12risk.modelling.baselines import fit_baselines
    from b12risk.simulation.cohort import simulate

    if isinstance(simulated_n, bool) or not isinstance(simulated_n, int) or simulated_n < 1000:
        raise ConfigError(f"simulated_n must be an int >= 1000; got {simulated_n!r}")
    if model is not None and not isinstance(model, registry.LoadedModel | str | os.PathLike):
        raise ConfigError(
            f"model must be a LoadedModel, a version, 'latest' or a model folder; got {type(model).__name__}"
        )
    loaded = model if isinstance(model, registry.LoadedModel) else registry.load_model(model or "latest")
    real = load_adults(cycles, directory=directory)
    present = tuple(real["cycle"].unique())
    groups = {g: c for g, c in GROUPS.items() if all(x in present for x in c)}
    sim = simulate(simulated_n, scenario="us_uk", labs="survey", seed=seed)
    baselines = fit_baselines(sim)
    cb12_outcome_index = _cb12_outcome_index(sim)

    defined: dict[str, np.ndarray] = {}
    events: dict[str, np.ndarray] = {}
    for name, outcome in OUTCOMES.items():
        defined[name], events[name] = outcome.evaluate(real, cb12=cb12_outcome_index)
        defined[name] &= real["serum_b12_pmol_l"].notna().to_numpy()

    # The model and the baselines score each (level, hidden fields) view once, on every row.
    views: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = {}
    warned: dict[str, int] = {}
    for outcome in OUTCOMES.values():
        for level in evaluable_levels(outcome):
            shown = _shown(level, outcome)
            key = (level, tuple(shown))
            if key in views:
                continue
            p, n_warned = _model_probability(loaded, real, shown)
            warned[f"{level}: {', '.join(sorted(set(_level_fields()[level]) - set(shown))) or 'nothing'} hidden"] = (
                n_warned
            )
            view: dict[str, Any] = {"model": (p, p)}
            sub = real[shown]
            if "serum_b12_pmol_l" in shown:
                view["serum_b12"] = (-real["serum_b12_pmol_l"].to_numpy(dtype=np.float64), None)
            for bname, levels in BASELINE_LEVELS.items():
                if level in levels:
                    est = baselines[bname]
                    view[bname] = (est.decision_function(sub), est.predict_proba(sub)[:, 1], est.applies(sub))
            views[key] = view

    perf_rows, dc_rows = [], []
    cycle_col = real["cycle"].to_numpy()
    stratum, psu = real["stratum"].to_numpy(), real["psu"].to_numpy()
    for group, members in groups.items():
        in_group = np.isin(cycle_col, members)
        w_all = real["weight"].to_numpy(dtype=np.float64) / len(members)
        for name, outcome in OUTCOMES.items():
            rows = in_group & defined[name]
            y = events[name][rows]
            if rows.sum() < 50 or y.sum() < 5:
                continue
            w = w_all[rows]
            prevalence = stats.weighted_share(y, w)
            for level in evaluable_levels(outcome):
                shown = _shown(level, outcome)
                view = views[(level, tuple(shown))]
                scores: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
                for scorer, entry in view.items():
                    if len(entry) == 3:
                        applies = entry[2][rows]
                        if applies.mean() < _MIN_APPLIES:
                            continue
                    scores[scorer] = (entry[0][rows], None if entry[1] is None else entry[1][rows])
                cv = _real_cv(real[rows], shown, y.astype(int), seed)
                scores["real_cv"] = (cv, cv)
                model_score = scores["model"][0]
                for scorer in SCORERS:
                    if scorer not in scores:
                        continue
                    score, prob = scores[scorer]
                    diff = (
                        (math.nan,) * 3 if scorer == "model" else stats.auroc_difference_delong(y, model_score, score)
                    )
                    wdiff = (
                        (math.nan, math.nan, 0)
                        if scorer == "model"
                        else stats.weighted_auroc_difference(y, model_score, score, w, stratum[rows], psu[rows])
                    )
                    perf_rows.append(
                        {
                            "group": group,
                            "outcome": name,
                            "level": level,
                            "scorer": scorer,
                            "n": int(rows.sum()),
                            "events": int(y.sum()),
                            "prevalence": prevalence,
                            **_cell_metrics(y, score, prob, w),
                            "model_minus": diff[0],
                            "model_minus_lo": diff[1],
                            "model_minus_hi": diff[2],
                            "weighted_minus": wdiff[0],
                            "weighted_minus_se": wdiff[1],
                            "weighted_minus_df": wdiff[2],
                        }
                    )
                    if prob is not None:
                        nb = stats.weighted_net_benefit(y, prob, w, THRESHOLDS)
                        dc_rows += [
                            {
                                "group": group,
                                "outcome": name,
                                "level": level,
                                "strategy": scorer,
                                "threshold": t,
                                "net_benefit": v,
                            }
                            for t, v in zip(THRESHOLDS, nb, strict=True)
                        ]
                treat_all = prevalence - (1 - prevalence) * THRESHOLDS / (1 - THRESHOLDS)
                dc_rows += [
                    {
                        "group": group,
                        "outcome": name,
                        "level": level,
                        "strategy": "test all",
                        "threshold": t,
                        "net_benefit": v,
                    }
                    for t, v in zip(THRESHOLDS, treat_all, strict=True)
                ]

    outcome_rows = []
    for name, outcome in OUTCOMES.items():
        row = {
            "outcome": name,
            "label": outcome.label_en,
            "definition": outcome.definition(),
            "hidden from scorers": ", ".join(outcome.uses),
            "levels": ", ".join(evaluable_levels(outcome)),
            "source": outcome.source,
        }
        for group, members in groups.items():
            rows = np.isin(cycle_col, members) & defined[name]
            row[f"n {group}"] = int(rows.sum())
            row[f"prevalence {group}"] = stats.weighted_share(events[name][rows], real["weight"].to_numpy()[rows])
        outcome_rows.append(row)

    notes = {
        "model_version": loaded.version,
        "seed": seed,
        "simulated_n": simulated_n,
        "cycles": list(present),
        "rows_with_training_range_warnings": warned,
        "supplement_name_rule_on_2011_2012": supplement_name_agreement(directory) if "2011-2012" in present else None,
        "auroc": "unweighted, 95% CI by DeLong; auroc_weighted uses the MEC weights",
        "weights": "WTMEC2YR; pooled groups divide it by the number of cycles",
    }
    return ExternalValidation(
        model_version=loaded.version,
        performance=pd.DataFrame(perf_rows),
        decision=pd.DataFrame(dc_rows),
        marginals=_marginals(real, sim, groups),
        adapter=_adapter_table(real),
        outcomes=pd.DataFrame(outcome_rows),
        notes=notes,
    )


def _cb12_outcome_index(sim: pd.DataFrame):
    """The cB12 used to *define* the cB12 outcome: three measured markers, holoTC imputed."""
    from b12risk.modelling.baselines import CombinedB12Index

    return CombinedB12Index(min_markers=3).fit(sim, sim["true_deficient"].to_numpy())
