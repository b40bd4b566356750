"""Section 1 of the report: the model card, from the model's metadata and the catalogue's ``card.*`` texts."""

from __future__ import annotations

from typing import Any

from b12risk.knowledge import LEVELS
from b12risk.modelling.modelcard import nhanes_limitations
from b12risk.reporting.data import ReportData
from b12risk.reporting.html.markup import bdi, code, esc, listing, ltr, num, section, table, td
from b12risk.words import items
from b12risk.words import t as word

__all__ = ["render"]


def render(d: ReportData) -> str:
    """The model card: intended use, users, scope, training data, the model, its limitations."""
    lang = d.language
    meta, cfg = d.meta, d.meta["config"]
    cohort, training = cfg["cohort"], meta.get("training", {})
    shares = cohort["scenarios"]
    total = sum(shares.values())
    eval_seeds = meta.get("seeds", {}).get("evaluation", {})
    n_eval = d.table[(d.table.scorer == "model") & (d.table.metric == "n")].groupby("scenario").estimate.first()
    rows = []
    for s in sorted(set(shares) | set(eval_seeds)):
        desc = d.kb.scenarios[s].description if s in d.kb.scenarios else ""
        share = shares.get(s, 0.0) / total
        rows.append(
            [
                code(s),
                bdi(desc),
                ltr(f"{share:.0%}"),
                ltr(f"{round(share * cohort['n']):,}"),
                ltr(str(eval_seeds.get(s, "–"))),
                ltr(f"{int(n_eval[s]):,}" if s in n_eval else "–"),
            ]
        )
    scen_table = table(
        d.head("scenario description share train_rows eval_seed eval_rows"),
        rows,
        id="training-scenarios",
    )
    levels = ", ".join(f"{word('level.' + lv, d.language)} {cohort['levels'].get(lv, 0):.0%}" for lv in LEVELS)
    facts = [
        _training_rows(d, training, cohort),
        d.w("train_labs", share=cohort["survey_share"]),
        d.w("train_levels", levels=levels),
        d.w("train_missing"),
        d.w("train_imbalance"),
        d.w("eval_design", seed=cfg["evaluation"]["seed"], boot=cfg["evaluation"]["n_boot"]),
    ]
    m = cfg["model"]
    corrected = training.get("corrected_levels") or []
    model_facts = [
        d.w(
            "model_version",
            version=d.loaded.version,
            created=meta.get("created", "–"),
            state=d.w("released" if d.loaded.released else "unreleased"),
            pkg=meta.get("versions", {}).get("b12risk", "–"),
        ),
        d.w(
            "model_type",
            est=type(d.loaded.estimator).__name__,
            n_iter=training.get("n_iter", "–"),
            max_iter=m["max_iter"],
            lr=m["learning_rate"],
            leaves=m["max_leaf_nodes"],
            leaf=m["min_samples_leaf"],
            l2=m["l2_regularization"],
        ),
        d.w("model_calibration", levels=", ".join(corrected) if corrected else d.w("none")),
        d.w(
            "model_output",
            moderate=meta["risk_bands"]["moderate"],
            high=meta["risk_bands"]["high"],
            thr=meta.get("decision_threshold"),
        ),
    ]
    correction = training.get("correction", {})
    checked = training.get("calibration") or training.get("holdout") or {}  # the key of newer / older models
    cal_rows = [
        [
            code(g),
            td(ltr(f"{h['rows']:,}"), class_="num"),
            td(ltr(_with_se(h["slope"], h.get("slope_se"))), class_="num"),
            td(ltr(_with_se(h["intercept"], h.get("intercept_se"), signed=True)), class_="num"),
            esc(d.w("yes" if g in corrected else "no")),
            td(
                ltr(
                    " / ".join(num(v, 4, signed=i == 1) for i, v in enumerate(correction[g]))
                    if g in correction
                    else "–"
                ),
                class_="num",
            ),
        ]
        for g, h in checked.items()
    ]
    cal_table = table(
        d.head("group rows slope intercept corrected correction"),
        cal_rows,
        id="calibration-check",
    )
    body = [
        f'<p class="lead"><strong>{esc(d.w("not_diagnosis_head"))}</strong></p>',
        f"<h3>{esc(d.w('intended_use'))}</h3><p>{esc(d.w('card.intended_use'))}</p>",
        f"<h3>{esc(d.w('users'))}</h3><p>{esc(d.w('card.users').replace('`', ''))}</p>",
        f"<h3>{esc(d.w('out_of_scope'))}</h3>{listing([esc(x) for x in items('card.out_of_scope', lang)])}",
        f"<h3>{esc(d.w('training_data'))}</h3>{listing([esc(x) for x in facts])}{scen_table}",
        f"<h3>{esc(d.w('the_model'))}</h3>{listing([esc(x) for x in model_facts])}{cal_table}",
        f"<h3>{esc(d.w('limitations'))}</h3>{_limitations(d, items('card.limitations', lang))}",
    ]
    return section("model-card", d.w("h.model-card"), "".join(body))


def _limitations(d: ReportData, documented: tuple[str, ...]) -> str:
    """The documented limitations, then those measured on real patients (or that none were)."""
    measured = nhanes_limitations(d.nhanes, d.language) if d.nhanes is not None else [d.w("lim.omitted")]
    entries = [f"<li>{esc(x)}</li>" for x in documented]
    entries += [f'<li data-measured="nhanes">{esc(x)}</li>' for x in measured]
    return f'<ul id="limitations">{"".join(entries)}</ul>'


def _training_rows(d: ReportData, training: dict[str, Any], cohort: dict[str, Any]) -> str:
    """How many patients fitted the trees and how many checked calibration (either layout of metadata)."""
    if "calibration_rows" in training:  # calibration checked on a fresh simulated cohort
        return d.w(
            "train_rows_fresh",
            n=training.get("train_rows", cohort["n"]),
            seed=cohort["seed"],
            cal=training["calibration_rows"],
            cseed=training.get("calibration_seed", "–"),
        )
    return d.w(
        "train_rows",
        n=training.get("rows", cohort["n"]),
        seed=cohort["seed"],
        fit=training.get("train_rows", 0),
        hold=training.get("holdout_rows", 0),
    )


def _with_se(value: float, se: float | None, *, signed: bool = False) -> str:
    return num(value, signed=signed) + (f" ± {num(se)}" if se is not None else "")
