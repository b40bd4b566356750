"""NHANES tables -> one frame of adults in b12risk's field names and units.

Everything the adapter knows about NHANES is the table ``variables.toml`` next to this
module (which CDC variable, which unit, which codes mean "refused" or "don't know", which
generic names make a medicine class). This module only carries it out.

Examples
--------
>>> from b12risk.nhanes import load_adults
>>> adults = load_adults(["2003-2004"])
>>> bool((adults["age"] >= 20).all()), adults["cycle"].unique().tolist()
(True, ['2003-2004'])
>>> "serum_b12_pmol_l" in adults.columns and "weight" in adults.columns
True
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from b12risk.errors import ConfigError
from b12risk.nhanes.egfr import ckd_epi_2021
from b12risk.nhanes.tables import read_table

__all__ = ["CYCLES", "MAPPING_PATH", "load_adults", "mapping", "model_columns", "supplement_name_agreement"]

MAPPING_PATH = Path(__file__).with_name("variables.toml")


@lru_cache(maxsize=1)
def mapping() -> dict[str, Any]:
    """The parsed ``variables.toml``."""
    with MAPPING_PATH.open("rb") as fh:
        return tomllib.load(fh)


#: Cycle years -> CDC's table suffix letter, in time order.
CYCLES: dict[str, str] = {c["years"]: key for key, c in mapping()["cycles"].items()}


def _cycle_key(cycle: str) -> str:
    if cycle in CYCLES:
        return CYCLES[cycle]
    if cycle in CYCLES.values():
        return cycle
    raise ConfigError(f"cycle must be one of {', '.join(CYCLES)}; got {cycle!r}")


def model_columns() -> list[str]:
    """The adapter's columns that are b12risk model fields (the rest describe the survey)."""
    return [name for name, f in mapping()["fields"].items() if f.get("model", True)]


# --------------------------------------------------------------------------- field kinds


def _missing_to_nan(values: pd.Series, codes: Iterable[float]) -> pd.Series:
    v = pd.to_numeric(values, errors="coerce").astype("float64")
    return v.mask(v.isin(list(codes)))


def _coded(values: pd.Series, codes: dict[str, Any], missing: Iterable[float] = ()) -> pd.Series:
    v = _missing_to_nan(values, missing)
    lookup = {float(k): val for k, val in codes.items()}
    return v.map(lookup).astype(object).where(v.isin(list(lookup)), None)


class _Reader:
    """Reads each table of one cycle once, indexed by SEQN."""

    def __init__(self, directory: str | os.PathLike[str] | None):
        self.directory = directory
        self._tables: dict[str, pd.DataFrame] = {}
        self._people: dict[str, pd.DataFrame] = {}

    def table(self, name: str) -> pd.DataFrame:
        if name not in self._tables:
            self._tables[name] = read_table(name, self.directory)
        return self._tables[name]

    def variable(self, seqn: pd.Index, table: str, variable: str) -> pd.Series:
        t = self.table(table)
        if variable not in t.columns:
            raise ConfigError(
                f"NHANES table {table} has no variable {variable}; check variables.toml against its codebook"
            )
        if table not in self._people:  # one row per participant (prescription tables repeat them)
            self._people[table] = t.drop_duplicates("SEQN").set_index("SEQN")
        return self._people[table][variable].reindex(seqn)


def _number(reader: _Reader, seqn: pd.Index, spec: dict[str, Any], src: dict[str, Any]) -> pd.Series:
    values = _missing_to_nan(reader.variable(seqn, src["table"], src["variable"]), spec.get("missing", ()))
    return values * float(src.get("factor", 1.0))


def _code(reader: _Reader, seqn: pd.Index, spec: dict[str, Any], src: dict[str, Any]) -> pd.Series:
    return _coded(reader.variable(seqn, src["table"], src["variable"]), spec["codes"], spec.get("missing", ()))


def _name_matches(names: pd.Series, patterns: Sequence[str]) -> pd.Series:
    upper = names.fillna("").astype(str).str.upper()
    hit = pd.Series(False, index=names.index)
    for p in patterns:
        hit |= upper.str.contains(p, regex=False)
    return hit


def _supplements(reader: _Reader, seqn: pd.Index, key: str) -> pd.Series:
    src = mapping()["fields"]["supplement_use"][key]
    rules = mapping()["supplements"]
    taking = _coded(reader.variable(seqn, src["any_table"], src["any_variable"]), rules["any_codes"], rules["missing"])
    if "b12_variable" in src:
        b12 = pd.to_numeric(reader.variable(seqn, src["b12_table"], src["b12_variable"]), errors="coerce")
        has_b12 = b12.fillna(0.0) > 0
    else:
        products = reader.table(src["products_table"])
        hit = _name_matches(products[src["name_variable"]], rules["b12_name_patterns"])
        people = set(products.loc[hit, "SEQN"])
        has_b12 = pd.Series(seqn.isin(list(people)), index=seqn)
    out = taking.copy()
    out[taking == True] = has_b12[taking == True]  # noqa: E712 - object column holding True/False/None
    return out


def supplement_name_agreement(directory: str | os.PathLike[str] | None = None) -> dict[str, float]:
    """How well the 2001-2004 name rule for B12-containing supplements agrees with CDC's
    nutrient totals, measured on 2011-2012 (where both exist), among supplement users.

    Returns
    -------
    dict
        ``n`` users, ``sensitivity`` and ``specificity`` of the name rule against
        ``DSQTVB12 > 0``, and the two shares.
    """
    reader = _Reader(directory)
    src = mapping()["fields"]["supplement_use"]["G"]
    rules = mapping()["supplements"]
    totals = reader.table(src["any_table"]).set_index("SEQN")
    users = totals.index[totals[src["any_variable"]] == 1]
    truth = pd.to_numeric(totals.loc[users, src["b12_variable"]], errors="coerce").fillna(0.0) > 0
    products = reader.table(src["products_table"])
    hit = _name_matches(products[src["name_variable"]], rules["b12_name_patterns"])
    named = pd.Series(users.isin(list(set(products.loc[hit, "SEQN"]))), index=users)
    return {
        "n": len(users),
        "sensitivity": float((named & truth).sum() / truth.sum()),
        "specificity": float((~named & ~truth).sum() / (~truth).sum()),
        "share_by_totals": float(truth.mean()),
        "share_by_names": float(named.mean()),
    }


def _ingredients(name: Any, salts: Sequence[str]) -> list[str]:
    out = []
    for part in str(name).upper().split(";"):
        words = part.strip()
        changed = True
        while changed:
            changed = False
            for salt in salts:
                if words.endswith(" " + salt):
                    words, changed = words[: -len(salt) - 1].strip(), True
        out.append(words)
    return out


def _medicines(reader: _Reader, seqn: pd.Index, key: str) -> dict[str, pd.Series]:
    rx = mapping()["prescriptions"]
    src = rx[key]
    table = reader.table(src["table"])
    taking_any = _coded(reader.variable(seqn, src["table"], src["any_variable"]), rx["any_codes"], rx["missing"])
    rows = table[table["SEQN"].isin(seqn)]
    names = rows[src["name_variable"]]
    name_missing = names.isna() | names.astype(str).isin(rx["missing_names"])
    days = _missing_to_nan(rows[src["days_variable"]], rx["missing_days"])
    unknown_name_people = set(rows.loc[name_missing & names.notna(), "SEQN"])
    ingredients = names.where(~name_missing).map(lambda n: _ingredients(n, rx["salt_words"]) if n is not None else [])
    out = {}
    for medicine, spec in rx["medicines"].items():
        generic = set(spec["generic_names"])
        match = ingredients.map(lambda parts, generic=generic: any(p in generic for p in parts)).astype(bool)
        hits = pd.DataFrame({"SEQN": rows["SEQN"][match], "years": days[match] / rx["days_per_year"]})
        # A duration unknown for any listing leaves the person's years unknown unless a known one exists.
        longest = hits.groupby("SEQN")["years"].max()  # NaN only when every listing's days are missing
        years = pd.Series(0.0, index=seqn)
        years[taking_any.isna()] = np.nan
        unknown = seqn.isin(list(unknown_name_people)) & ~seqn.isin(longest.index)
        years[unknown] = np.nan
        years.loc[longest.index] = longest.to_numpy()
        out[medicine] = years
    return out


# --------------------------------------------------------------------------- the frame


def _cycle_frame(key: str, directory: str | os.PathLike[str] | None) -> pd.DataFrame:
    m = mapping()
    cycle = m["cycles"][key]
    pop = m["population"]
    reader = _Reader(directory)
    demo = reader.table(f"DEMO{cycle['suffix']}").set_index("SEQN")
    keep = (demo["RIDAGEYR"] >= pop["min_age"]) & (demo["RIDSTATR"] == pop["examined_code"]) & (demo["WTMEC2YR"] > 0)
    seqn = demo.index[keep]
    out = pd.DataFrame(index=seqn)
    out.index.name = "seqn"
    out["cycle"] = cycle["years"]
    medicines: dict[str, pd.Series] | None = None
    for name, spec in m["fields"].items():
        kind = spec["kind"]
        if kind == "number":
            out[name] = _number(reader, seqn, spec, spec[key]) if key in spec else np.nan
        elif kind == "code":
            out[name] = _code(reader, seqn, spec, spec[key]) if key in spec else None
        elif kind == "constant":
            out[name] = spec["value"]
        elif kind == "supplements":
            out[name] = _supplements(reader, seqn, key)
        elif kind == "medicine":
            medicines = medicines if medicines is not None else _medicines(reader, seqn, key)
            out[name] = medicines[spec["medicine"]]
        elif kind == "egfr":
            pass  # after every other field: needs creatinine, age and sex
        else:  # pragma: no cover - guarded by the mapping test
            raise ConfigError(f"variables.toml: field {name} has unknown kind {kind!r}")
    # Pregnancy: men are not pregnant; women not asked count as not pregnant from the given age.
    preg = m["fields"]["pregnant"]
    raw = reader.variable(seqn, preg[key]["table"], preg[key]["variable"])
    out.loc[out["sex"] == "male", "pregnant"] = False
    not_asked = (out["sex"] == "female") & raw.isna() & (out["age"] >= preg["not_asked_false_from_age"])
    out.loc[not_asked, "pregnant"] = False
    out["age_topcoded"] = out["age"] >= cycle["age_top_code"]
    out["egfr_ml_min"] = ckd_epi_2021(out["creatinine_mg_dl"], out["age"], out["sex"])
    out["b12_method"] = cycle["b12_method"]
    out["assay_era"] = cycle["era"]
    for col in ("pregnant", "supplement_use", "diabetes"):
        out[col] = out[col].astype("boolean")
    return out


@lru_cache(maxsize=8)
def _load(keys: tuple[str, ...], directory: str | None) -> pd.DataFrame:
    return pd.concat([_cycle_frame(k, directory) for k in keys])


def load_adults(
    cycles: Sequence[str] | None = None, *, directory: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """Adults (20+, examined) of the given NHANES cycles as one frame in b12risk's fields.

    Parameters
    ----------
    cycles : sequence of str, optional
        Cycle years (``"2001-2002"``, ``"2003-2004"``, ``"2011-2012"``) or suffix
        letters; all of them by default.
    directory : str or Path, optional
        Folder of NHANES tables (CDC's ``.XPT`` files or CSV copies); the shipped one by
        default.

    Returns
    -------
    pandas.DataFrame
        One row per participant, indexed by ``seqn``: ``cycle``; the b12risk fields of
        :func:`model_columns` (missing where NHANES does not record them, so predict()
        treats them as not observed); and ``weight`` (two-year MEC weight), ``psu``,
        ``stratum``, ``diabetes``, ``creatinine_mg_dl``, ``age_topcoded``,
        ``b12_method`` and ``assay_era``. Fields NHANES does not record (diet,
        gastrectomy, symptoms, ...) are not columns.

    Raises
    ------
    ConfigError
        For an unknown cycle or a missing table.
    """
    chosen = list(CYCLES) if cycles is None else [cycles] if isinstance(cycles, str) else list(cycles)
    if not chosen:
        raise ConfigError("cycles must name at least one cycle; got an empty list")
    keys = tuple(_cycle_key(str(c)) for c in chosen)
    if len(set(keys)) != len(keys):
        raise ConfigError(f"cycles must not repeat a cycle; got {chosen}")
    return _load(keys, None if directory is None else str(Path(directory).resolve())).copy()
