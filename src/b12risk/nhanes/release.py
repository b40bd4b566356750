"""What the release gate measures on real patients: a candidate model on the shipped NHANES cycles.

:func:`measure` is the ``real_data`` measurement :func:`b12risk.modelling.training.train`
is handed by the ``b12risk train`` command. It is :func:`~b12risk.nhanes.validation.validate`
plus one note the gate reports beside its calibration check: the model's survey-weighted
mean predicted probability against the survey-weighted share of the calibration outcome
(:data:`b12risk.modelling.training.real_gate.CALIBRATION`) at each of its levels, the
outcome's own fields *shown* to the model (at ``serum_b12`` the validation's tables hide
serum B12 from every scorer of an outcome built from it, so they have no such row).
The criteria themselves are :mod:`b12risk.modelling.training.real_gate`: training judges,
this stage measures, and the data flow one way (training never imports nhanes).

Measured on 2 cores for the shipped 1.0.0: about 15 s (most of it the simulated cohort of
200,000 that the baselines are fitted on, and the cross-validated real-data models).

Examples
--------
>>> from b12risk.nhanes.release import measure
>>> from b12risk.modelling.training import load_config
>>> from b12risk.modelling.training.real_gate import real_data_gate
>>> result = measure("1.0.0")                                            # doctest: +SKIP
>>> real_data_gate(result, load_config().gate)                           # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from b12risk.modelling.training import TrainResult
from b12risk.modelling.training import train as train_on_cohorts
from b12risk.modelling.training.real_gate import CALIBRATION, NOTES_KEY
from b12risk.nhanes import stats
from b12risk.nhanes.adapter import load_adults
from b12risk.nhanes.outcomes import OUTCOMES
from b12risk.nhanes.validation import GROUPS, ExternalValidation, _level_fields, _model_probability, validate

__all__ = ["calibration_in_the_large", "measure", "train"]


def calibration_in_the_large(
    model: Any, *, cycles: list[str] | None = None, directory: str | os.PathLike[str] | None = None
) -> list[dict[str, Any]]:
    """Survey-weighted share of the calibration outcome and the model's mean prediction, per group and level.

    Parameters
    ----------
    model : LoadedModel
        The model to measure.
    cycles : list of str, optional
        NHANES cycles; all shipped ones by default.
    directory : str or Path, optional
        Folder of NHANES tables; the shipped one by default.

    Returns
    -------
    list of dict
        One row per cycle group x level of :data:`~b12risk.modelling.training.real_gate.CALIBRATION`
        (the gated level, then the reported ones): ``group``, ``outcome``, ``level``,
        ``n``, ``events``, ``observed`` (weighted share), ``predicted`` (weighted mean
        probability) and ``oe``. Every field NHANES records at the level is shown to the
        model, the outcome's own included; the rows are those where the outcome is
        defined, as in the validation (groups with fewer than 50 rows or 5 events are left out).
    """
    outcome = OUTCOMES[CALIBRATION.outcome]
    real = load_adults(cycles, directory=directory)
    defined, events = outcome.evaluate(real)
    defined &= real["serum_b12_pmol_l"].notna().to_numpy()
    present = set(real["cycle"].unique())
    cycle = real["cycle"].to_numpy()
    weight = real["weight"].to_numpy(dtype=np.float64)
    fields = _level_fields()
    levels = (CALIBRATION.level, *CALIBRATION.reported)
    probability = {level: _model_probability(model, real, fields[level])[0] for level in levels}
    out = []
    for group, members in GROUPS.items():
        if not all(c in present for c in members):
            continue
        rows = np.isin(cycle, members) & defined
        y = events[rows]
        if rows.sum() < 50 or y.sum() < 5:
            continue
        w = weight[rows] / len(members)
        observed = stats.weighted_share(y, w)
        for level in levels:
            predicted = stats.weighted_mean(probability[level][rows], w)
            out.append(
                {
                    "group": group,
                    "outcome": outcome.name,
                    "level": level,
                    "n": int(rows.sum()),
                    "events": int(y.sum()),
                    "observed": observed,
                    "predicted": predicted,
                    "oe": observed / predicted if predicted > 0 else float("nan"),
                }
            )
    return out


def measure(
    model: Any = None,
    *,
    cycles: list[str] | None = None,
    directory: str | os.PathLike[str] | None = None,
    simulated_n: int = 200_000,
    seed: int = 0,
) -> ExternalValidation:
    """A model measured on real patients for the release gate.

    Parameters
    ----------
    model : LoadedModel, version string or path, optional
        As for :func:`~b12risk.nhanes.validation.validate` (training passes the unsaved
        candidate as a :class:`~b12risk.registry.LoadedModel`).
    cycles, directory, simulated_n, seed
        As for :func:`~b12risk.nhanes.validation.validate`; all shipped cycles by default.

    Returns
    -------
    ExternalValidation
        The validation, its ``notes`` holding :func:`calibration_in_the_large` under
        :data:`~b12risk.modelling.training.real_gate.NOTES_KEY`.
    """
    from b12risk import registry

    if model is None or isinstance(model, str | os.PathLike):
        model = registry.load_model(model or "latest")  # once, for both measurements
    result = validate(model, cycles=cycles, directory=directory, simulated_n=simulated_n, seed=seed)
    result.notes[NOTES_KEY] = calibration_in_the_large(model, cycles=cycles, directory=directory)
    return result


def train(config: Any = None, **kwargs: Any) -> TrainResult:
    """Train, evaluate, gate and export a model version, measured on real patients too.

    :func:`b12risk.modelling.training.train` with :func:`measure` as its ``real_data``
    (unless the call gives one): what ``b12risk.train`` and ``b12risk train`` run, so a
    config whose ``[gate] real_data`` is true (the shipped default) is gated on the
    shipped NHANES cycles without the caller wiring it. Training itself never imports
    :mod:`b12risk.nhanes`: the data flow one way.

    Parameters
    ----------
    config : path, dict or TrainConfig, optional
        Training config; the shipped default if omitted.
    **kwargs
        ``root``, ``version``, ``force``, ``progress``, ``real_data``, as for
        :func:`b12risk.modelling.training.train`.

    Returns
    -------
    TrainResult
    """
    kwargs.setdefault("real_data", measure)
    return train_on_cohorts(config, **kwargs)
