"""Print one SHA-256 over what b12risk computes, to check that a refactor changed nothing.

Cohorts (3 scenarios x 2 lab modes, 20,000 rows each), the oracle's posterior at the 4
information levels, and the shipped model's probabilities for 3,000 rows of each cohort.
Run it on two checkouts with the same environment and compare the lines:

    python scripts/output_fingerprint.py
    (cd ../other && PYTHONPATH=src B12RISK_SEEDS=seeds B12RISK_MODELS=models python scripts/output_fingerprint.py)
"""

import hashlib

import pandas as pd

import b12risk
from b12risk import predict
from b12risk.knowledge.schema import truth_columns
from b12risk.simulation.cohort import simulate
from b12risk.simulation.oracle import oracle_probability


def main() -> None:
    digest = hashlib.sha256()
    for scenario in ("us_uk", "antenatal", "gastro_clinic"):
        for labs in ("clinical", "survey"):
            df = simulate(20_000, scenario=scenario, labs=labs, seed=5)
            digest.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
            for level in ("risk_factors", "symptoms", "serum_b12", "full_panel"):
                digest.update(oracle_probability(df, level=level).tobytes())
            observed = df.drop(columns=list(truth_columns()))
            digest.update(predict(observed.head(3000), explain=False)["probability"].to_numpy().tobytes())
    print(f"{digest.hexdigest()}  b12risk {b12risk.__version__} from {b12risk.__file__}")


if __name__ == "__main__":
    main()
