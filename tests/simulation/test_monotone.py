"""Monotone where medicine is: with everything else about a patient fixed, the oracle's
risk does not rise with serum B12 or holoTC, and does not fall with MMA, homocysteine (at
fixed eGFR), eGFR or years of a PPI or metformin. Property tests over random simulated patients."""

import numpy as np
import pandas as pd
import pytest

from b12risk.knowledge.schema import mask_to_level
from b12risk.simulation.biomarkers import SerumSkewed
from b12risk.simulation.cohort import simulate
from b12risk.simulation.oracle import oracle_probability
from b12risk.simulation.structural import model

#: Relative slack for rounding in the grid sums: far below any real change of risk.
SLACK = 1e-9

LABS = ("serum_b12_pmol_l", "mma_umol_l", "hcy_umol_l", "holotc_pmol_l", "mcv_fl", "hgb_g_dl")


def patients(n: int, seed: int, level: str) -> pd.DataFrame:
    frames = [
        simulate(n, scenario=s, labs="survey", seed=seed)
        for s in ("us_uk", "older_adults", "gastro_clinic", "diabetes_clinic")
    ]
    return mask_to_level(pd.concat(frames, ignore_index=True), level)


def risk_along(frame: pd.DataFrame, column: str, values: np.ndarray) -> np.ndarray:
    """Rows x values: each patient's risk with ``column`` set to each value in turn."""
    rows = frame.loc[frame.index.repeat(len(values))].reset_index(drop=True)
    rows[column] = np.tile(values, len(frame))
    return oracle_probability(rows).reshape(len(frame), len(values))


def assert_monotone(risk: np.ndarray, direction: int) -> None:
    steps = np.diff(risk, axis=1) * direction  # >= 0 where it moves the declared way
    worst = steps.min()
    assert worst >= -SLACK * max(risk.max(), 1e-300), f"risk moves against its direction by {worst:.3g}"


def test_risk_never_rises_with_serum_b12():
    # The 1.0.0 world drew falsely normal readings apart from the latent level, with a heavier
    # upper tail than true readings, so its oracle's risk rose above about 300 pmol/L (B12 900
    # scored 20x the risk of B12 300). World 2.0 reads serum B12 with a right-skewed,
    # log-concave error: the likelihood ratio is monotone, so the posterior is too.
    for level in ("serum_b12", "full_panel"):
        frame = patients(15, seed=2, level=level)
        values = np.geomspace(150.0, 2000.0, 25)
        assert_monotone(risk_along(frame, "serum_b12_pmol_l", values), direction=-1)


@pytest.mark.parametrize(
    ("column", "values", "direction"),
    [
        ("holotc_pmol_l", np.geomspace(10.0, 300.0, 20), -1),
        ("mma_umol_l", np.geomspace(0.05, 5.0, 20), +1),
        ("hcy_umol_l", np.geomspace(3.0, 100.0, 20), +1),
    ],
)
def test_full_panel_markers_move_risk_their_way(column, values, direction):
    frame = patients(10, seed=3, level="full_panel")
    assert_monotone(risk_along(frame, column, values), direction)


@pytest.mark.parametrize("level", ["risk_factors", "serum_b12", "full_panel"])
def test_risk_never_falls_as_egfr_rises(level):
    # A low eGFR raises MMA and homocysteine by itself (explaining a raised reading away);
    # without them it says nothing at a given age. The model is constrained the same way.
    frame = patients(10, seed=5, level=level)
    risk = risk_along(frame, "egfr_ml_min", np.geomspace(30.0, 150.0, 15))
    assert_monotone(risk, direction=+1)
    if level == "full_panel":  # and it does move: the constraint is not vacuous here
        assert (risk[:, -1] - risk[:, 0]).max() > 1e-3


@pytest.mark.parametrize(
    ("column", "dose_column"), [("ppi_years", "ppi_pills_per_day"), ("metformin_years", "metformin_mg_day")]
)
def test_more_years_of_a_medicine_never_lowers_risk(column, dose_column):
    frame = patients(10, seed=4, level="risk_factors")
    frame[dose_column] = frame[dose_column].where(frame[dose_column] > 0, 1.0 if "ppi" in column else 1000.0)
    assert_monotone(risk_along(frame, column, np.linspace(0.1, 20.0, 15)), direction=+1)


def test_the_skewed_assay_is_drawn_as_the_oracle_weighs_it():
    # Calibration in the large, by quintile of the posterior: the simulator draws readings from
    # the density the oracle integrates, or the two would disagree.
    assert isinstance(model(None).spec("serum_b12"), SerumSkewed)
    n = 60_000
    df = simulate(n, scenario="older_adults", labs="survey", seed=9)
    p = oracle_probability(df, level="serum_b12")
    y = df["true_deficient"].to_numpy()
    for part in np.array_split(np.argsort(p), 5):
        expected, seen = p[part].mean(), y[part].mean()
        assert abs(seen - expected) < 4 * np.sqrt(max(expected * (1 - expected), 1e-4) / len(part)) + 1e-3
