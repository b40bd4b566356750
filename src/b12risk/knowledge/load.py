"""Reading ``seeds/`` into a :class:`Knowledge`: each file into its typed sections
(:mod:`b12risk.knowledge.sections`, :mod:`b12risk.knowledge.causes`), scenarios resolved
through their ``base``, the structural parameters of ``measurement.toml`` checked against
what the equations read, and the names one file uses checked against the others."""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from b12risk.errors import KnowledgeError
from b12risk.knowledge.causes import Cause
from b12risk.knowledge.disagreements import Disagreement
from b12risk.knowledge.disagreements import cross_check as _check_disagreements
from b12risk.knowledge.sections import Biomarker, Demographic, Estimate, Quantity, Scenario, Symptom, Target
from b12risk.paths import CHECKOUT, PACKAGE

__all__ = [
    "EQUATIONS",
    "LEVELS",
    "SEED_FILES",
    "STRUCTURAL_KEYS",
    "Knowledge",
    "fingerprint",
    "load",
    "measurement_keys",
    "seeds_dir",
]

#: Information levels, from least to most observed.
LEVELS: tuple[str, ...] = ("risk_factors", "symptoms", "serum_b12", "full_panel")

SEED_FILES = (
    "biomarkers",
    "causes",
    "demographics",
    "disagreements",
    "epidemiology",
    "literature",
    "measurement",
    "scenarios",
    "symptoms",
)

#: The seed files of the first release: every seeds folder has them (a later file may be absent
#: from an older folder, see :func:`fingerprint`).
_FIRST_SEED_FILES = frozenset(SEED_FILES) - {"disagreements"}

#: Parameters of ``measurement.toml`` that do not belong to one biomarker, by section.
STRUCTURAL_KEYS: dict[str, tuple[str, ...]] = {
    "latent": ("sd", "sd_age_slope", "reference_age", "age_slope", "deficient_below"),
    "labs": ("max_depth",),
    "severity": ("mild_below", "moderate_below", "severe_below"),
    "symptoms": ("moderate_onset", "severe_onset", "moderate_weight", "severe_weight", "max_depth"),
    "iron_deficiency": ("male", "female", "pregnant"),
    "egfr": ("median", "age_slope", "sd", "sd_age_slope"),
    "missingness": ("reflex_upper",),
}

#: The structural equations a biomarker can follow (``simulated.equation`` in
#: ``biomarkers.toml``) and the parameters each reads from the biomarker's section of
#: ``measurement.toml``: (required, optional). :mod:`b12risk.simulation.biomarkers`
#: implements one class per equation; a test checks the two agree.
EQUATIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "serum_skewed": (("sd", "excess_mean", "pregnancy_shift"), ("female_shift", "female_shift_below_age")),
    "marker_rise": (
        ("median", "sd", "age_slope", "egfr_slope", "deficiency_onset", "deficiency_slope"),
        ("male_shift",),
    ),
    "latent_fraction": (("fraction", "sd", "pregnancy_shift"), ()),
    "red_cell_size": (("mean", "sd", "macrocytosis_slope", "iron_deficiency_shift", "iron_deficiency_masking"), ()),
    "haemoglobin": (
        (
            "male_mean",
            "female_mean",
            "pregnant_mean",
            "sd",
            "deficiency_slope",
            "iron_deficiency_shift",
            "shortened_rbc_shift",
        ),
        (),
    ),
}

#: Ordering odds of a clinical request (``<test>_<term>`` in ``[missingness]``): required, optional.
TEST_TERMS: tuple[tuple[str, ...], tuple[str, ...]] = (("intercept", "per_decade", "per_symptom"), ("risk_factor",))

_CAUSE = TypeAdapter(Cause)


def measurement_keys(biomarkers: dict[str, Biomarker], optional: bool = False) -> dict[str, tuple[str, ...]]:
    """Every parameter the structural model must find in ``measurement.toml``, by section:
    :data:`STRUCTURAL_KEYS` plus what each simulated biomarker's equation and ordering
    rule read. With ``optional``, also the parameters they read only when present."""
    keys = {section: list(names) for section, names in STRUCTURAL_KEYS.items()}
    tests: list[str] = []
    for b in biomarkers.values():
        if b.simulated is None:
            continue
        required, extra = EQUATIONS[b.simulated.equation]
        keys.setdefault(b.simulated.parameters, []).extend(required + (extra if optional else ()))
        order = b.simulated.ordering
        if order.test not in tests:
            tests.append(order.test)
        keys["missingness"].extend(k for k in (order.share, order.borderline_share) if k)
    terms = TEST_TERMS[0] + (TEST_TERMS[1] if optional else ())
    keys["missingness"][:0] = [f"{t}_{term}" for t in tests for term in terms]
    return {section: tuple(dict.fromkeys(names)) for section, names in keys.items()}


@dataclass(frozen=True, eq=False)
class Knowledge:
    """The validated knowledge base. Build it with :func:`load`."""

    biomarkers: dict[str, Biomarker]
    causes: dict[str, Cause]
    symptoms: dict[str, Symptom]
    demographics: dict[str, Demographic]
    scenarios: dict[str, Scenario]
    measurement: dict[str, dict[str, Quantity]]
    epidemiology: dict[str, Target]
    literature: dict[str, Estimate]
    disagreements: dict[str, Disagreement]
    fingerprint: str
    directory: Path

    @property
    def measurement_keys(self) -> dict[str, tuple[str, ...]]:
        """The parameters the structural model reads, by section (:func:`measurement_keys`)."""
        return measurement_keys(self.biomarkers)

    def param(self, section: str, key: str) -> float:
        """Value of a structural-model parameter from ``measurement.toml``."""
        return self.measurement[section][key].value


def seeds_dir() -> Path:
    """The ``seeds/`` folder: ``$B12RISK_SEEDS`` if set, else the installed package's, else the checkout's."""
    override = os.environ.get("B12RISK_SEEDS")
    if override:
        return Path(override)
    here = PACKAGE
    for candidate in (PACKAGE / "seeds", CHECKOUT / "seeds"):
        if candidate.is_dir():
            return candidate
    raise KnowledgeError(f"no seeds/ folder found next to {here} or in the source checkout")


def _read(directory: Path, name: str) -> dict[str, Any]:
    path = directory / f"{name}.toml"
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise KnowledgeError(f"{path}: file is missing (expected one of {', '.join(SEED_FILES)})") from None
    except tomllib.TOMLDecodeError as exc:
        raise KnowledgeError(f"{path}: not valid TOML: {exc}") from None


def _validate(path: Path, key: str, model: type[BaseModel] | TypeAdapter, data: Any) -> Any:
    try:
        return model.validate_python(data) if isinstance(model, TypeAdapter) else model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = list(err["loc"])
        if isinstance(model, TypeAdapter) and loc and isinstance(data, dict) and loc[0] == data.get("kind"):
            loc.pop(0)  # the union's tag (the cause's kind) is not a key of the file
        where = ".".join([key, *(str(p) for p in loc)])
        msg = err["msg"].removeprefix("Value error, ")
        got = err.get("input")
        shown = "" if isinstance(got, dict | list) else f" (got {got!r})"
        raise KnowledgeError(f"{path}: [{where}] {msg}{shown}") from None


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and "value" not in value:
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _resolve_scenarios(path: Path, raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    resolved: dict[str, dict[str, Any]] = {}

    def resolve(name: str, chain: tuple[str, ...]) -> dict[str, Any]:
        if name in resolved:
            return resolved[name]
        if name in chain:
            raise KnowledgeError(f"{path}: [{name}] base chain loops: {' -> '.join([*chain, name])}")
        entry = dict(raw[name])
        base = entry.pop("base", None)
        if base is not None:
            if base not in raw:
                raise KnowledgeError(
                    f"{path}: [{name}.base] names unknown scenario {base!r}; known: {', '.join(sorted(raw))}"
                )
            entry = _merge(resolve(base, (*chain, name)), entry)
        resolved[name] = entry
        return entry

    for name in raw:
        resolve(name, ())
    return resolved


def _cross_check(directory: Path, kb: dict[str, Any]) -> None:
    """Checks that span files: names one file uses must exist in another."""
    regions = set(kb["demographics"]["region"].levels)
    median = kb["measurement"]["latent"]
    scen_path = directory / "scenarios.toml"
    prevalence_causes = {
        name for name, c in kb["causes"].items() if c.kind == "exposure" or (c.kind == "binary" and c.eligible is None)
    }
    for name, sc in kb["scenarios"].items():
        if sc.region not in regions:
            raise KnowledgeError(f"{scen_path}: [{name}.region] {sc.region!r} is not one of {sorted(regions)}")
        if f"region_median.{sc.region}" not in median:
            raise KnowledgeError(f"{directory / 'measurement.toml'}: [latent.region_median.{sc.region}] is missing")
        missing = prevalence_causes - set(sc.prevalence)
        if missing:
            raise KnowledgeError(f"{scen_path}: [{name}.prevalence] lacks {', '.join(sorted(missing))}")
        unknown = set(sc.prevalence) - prevalence_causes
        if unknown:
            raise KnowledgeError(f"{scen_path}: [{name}.prevalence] names unknown causes {', '.join(sorted(unknown))}")
        for cause_name, cause in kb["causes"].items():
            if cause.kind != "categorical":
                continue
            levels = set(cause.levels)
            if set(sc.shares.get(cause_name, ())) != levels:
                raise KnowledgeError(f"{scen_path}: [{name}.{cause_name}] must give shares for {sorted(levels)}")
    for name, t in kb["epidemiology"].items():
        if t.scenario not in kb["scenarios"]:
            raise KnowledgeError(
                f"{directory / 'epidemiology.toml'}: [{name}.scenario] unknown scenario {t.scenario!r}"
            )
    for name, e in kb["literature"].items():
        if e.cause not in kb["causes"]:
            raise KnowledgeError(f"{directory / 'literature.toml'}: [{name}.cause] unknown cause {e.cause!r}")
    for name, cause in kb["causes"].items():
        for blocked in getattr(cause, "blocks", ()):
            if getattr(kb["causes"].get(blocked), "kind", None) != "binary":
                raise KnowledgeError(
                    f"{directory / 'causes.toml'}: [{name}.blocks] {blocked!r} is not a binary cause; "
                    f"expected one of {sorted(c for c, x in kb['causes'].items() if x.kind == 'binary')}"
                )


def _flatten_measurement(
    path: Path, raw: dict[str, Any], required: dict[str, tuple[str, ...]]
) -> dict[str, dict[str, Quantity]]:
    out: dict[str, dict[str, Quantity]] = {}
    for section, entries in raw.items():
        if not isinstance(entries, dict):
            raise KnowledgeError(f"{path}: [{section}] must be a table of quantities")
        flat: dict[str, Quantity] = {}
        for key, value in entries.items():
            if isinstance(value, dict) and "value" not in value:  # one level of nesting
                for sub, q in value.items():
                    flat[f"{key}.{sub}"] = _validate(path, f"{section}.{key}.{sub}", Quantity, q)
            else:
                flat[key] = _validate(path, f"{section}.{key}", Quantity, value)
            for k, q in flat.items():
                positive = k in ("sd", "median", "mean") or k.endswith(("_sd", "_mean", "_below", "_onset"))
                if (positive or k.startswith("region_median.")) and q.value <= 0:
                    raise KnowledgeError(f"{path}: [{section}.{k}] must be > 0, got {q.value}")
        out[section] = flat
    for section, keys in required.items():
        for key in keys:
            if key not in out.get(section, {}):
                raise KnowledgeError(
                    f"{path}: [{section}] is missing {key!r} (the structural model reads {section}.{key}); "
                    "add it as { value = ..., unit = ..., source = ... }"
                )
    return out


def load(directory: str | Path | None = None, *, overrides: dict[str, Any] | None = None) -> Knowledge:
    """Read and validate the knowledge base.

    Parameters
    ----------
    directory : str or Path, optional
        Folder holding the seed TOML files; the shipped ``seeds/`` by default.
    overrides : dict, optional
        Entries that replace those of the files before validation, keyed like the files:
        ``{"measurement": {"latent": {"sd": {"value": ..., "unit": ..., "source": ...}}}}``.
        Tables merge key by key; a quantity replaces the one it names. Used to try
        parameter values (the NHANES calibration) without writing files; the fingerprint
        then also covers the overrides.

    Returns
    -------
    Knowledge
        Frozen, validated knowledge with a SHA-256 ``fingerprint`` of the files.

    Raises
    ------
    KnowledgeError
        Naming the file, the key and the problem, for the first problem found.
    """
    if overrides:
        unknown = set(overrides) - set(SEED_FILES)
        if unknown:
            raise KnowledgeError(
                f"overrides name unknown seed files {sorted(unknown)}; expected {', '.join(SEED_FILES)}"
            )
        return _load(seeds_dir() if directory is None else Path(directory), overrides)
    if directory is None:
        return _load_default()
    return _load(Path(directory))


@lru_cache(maxsize=1)
def _load_default() -> Knowledge:
    return _load(seeds_dir())


def fingerprint(directory: str | Path) -> str:
    """SHA-256 over the seed files' names and bytes: what a model records as its knowledge.

    Computed from the bytes alone, so it can be taken of seeds this version can no longer
    read (an older layout). A seed file the folder does not have is left out, name and
    all: seeds written before that file existed keep the fingerprint they had."""
    digest = hashlib.sha256()
    for name in SEED_FILES:
        path = Path(directory) / f"{name}.toml"
        if path.exists() or name in _FIRST_SEED_FILES:
            digest.update(name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _load(directory: Path, overrides: dict[str, Any] | None = None) -> Knowledge:
    raw = {name: _read(directory, name) for name in SEED_FILES}
    for name, over in (overrides or {}).items():
        raw[name] = _merge(raw[name], over)

    def table(name: str, model: type[BaseModel] | TypeAdapter, data: dict[str, Any] | None = None) -> dict[str, Any]:
        path = directory / f"{name}.toml"
        data = raw[name] if data is None else data
        if not data:
            raise KnowledgeError(f"{path}: holds no entries")
        return {key: _validate(path, key, model, value) for key, value in data.items()}

    causes = table("causes", _CAUSE)
    biomarkers = table("biomarkers", Biomarker)
    for name, b in biomarkers.items():
        if b.simulated is not None and b.simulated.equation not in EQUATIONS:
            raise KnowledgeError(
                f"{directory / 'biomarkers.toml'}: [{name}.simulated.equation] {b.simulated.equation!r} is not one of "
                f"{', '.join(EQUATIONS)}"
            )
    categorical = {name for name, c in causes.items() if c.kind == "categorical"}
    scenarios = {}
    for name, entry in _resolve_scenarios(directory / "scenarios.toml", raw["scenarios"]).items():
        entry = dict(entry)
        entry["shares"] = {c: entry.pop(c) for c in list(entry) if c in categorical}
        scenarios[name] = entry
    kb: dict[str, Any] = {
        "biomarkers": biomarkers,
        "causes": causes,
        "symptoms": table("symptoms", Symptom),
        "demographics": table("demographics", Demographic),
        "scenarios": table("scenarios", Scenario, scenarios),
        "measurement": _flatten_measurement(
            directory / "measurement.toml", raw["measurement"], measurement_keys(biomarkers)
        ),
        "epidemiology": table("epidemiology", Target),
        "literature": table("literature", Estimate),
        "disagreements": table("disagreements", Disagreement),
    }
    _cross_check(directory, kb)
    _check_disagreements(directory, raw, kb["epidemiology"], kb["disagreements"])
    digest = fingerprint(directory)
    if overrides:
        digest = hashlib.sha256((digest + json.dumps(overrides, sort_keys=True, default=str)).encode()).hexdigest()
    return Knowledge(**kb, fingerprint=digest, directory=directory)
