"""Every text b12risk shows a person, in English and Arabic: one catalogue, ``words.toml``.

The catalogue holds one entry per key, ``key -> {en, ar}``: the words of predictions,
of the SHAP figures, of the reviewers' report and its figures, and the model card's
texts. Field, cause, symptom and biomarker labels stay in the knowledge base
(``label_en`` / ``label_ar`` in ``seeds/``) and scorer names in the scorer table
(:mod:`b12risk.modelling.scorers`). Nothing is machine-translated at run time.

The file is checked when this module is imported: every key has both languages, an
entry is either two texts or two lists of texts of the same length, and both languages
fill the same ``{fields}``; otherwise :class:`~b12risk.errors.ConfigError` names the
key. Units keep their international form except the few in :data:`UNITS_AR`.

Examples
--------
>>> from b12risk.words import say, t
>>> t("level.serum_b12", "en")
'with serum B12'
>>> say("subgroup_summary", "en", k=2, n=40)
'2 of 40 rows flagged.'
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from b12risk.errors import ConfigError

__all__ = [
    "CATALOGUE",
    "LANGUAGES",
    "UNITS_AR",
    "UNIT_ALIASES_AR",
    "WORDS",
    "check_language",
    "has",
    "items",
    "read",
    "say",
    "t",
    "t_unit",
    "unit_forms",
]

#: Languages of every text, in the order the catalogue gives them.
LANGUAGES: tuple[str, ...] = ("en", "ar")
#: The catalogue shipped with the package.
CATALOGUE = Path(__file__).with_name("words.toml")

#: One language's text of an entry: a text, or a list of texts (the model card's limitations).
Text = str | tuple[str, ...]


# --------------------------------------------------------------------------- reading the catalogue


def read(path: str | Path = CATALOGUE) -> dict[str, dict[str, Text]]:
    """Read and check a catalogue file.

    Parameters
    ----------
    path : str or Path, default :data:`CATALOGUE`
        A TOML file of tables ``[key]`` with ``en`` and ``ar``; dotted keys nest
        (``[level.serum_b12]`` is the key ``"level.serum_b12"``).

    Returns
    -------
    dict
        ``{key: {"en": text, "ar": text}}`` in file order; lists become tuples.

    Raises
    ------
    ConfigError
        If the file is not valid TOML, or an entry lacks a language, has anything
        besides ``en`` and ``ar``, mixes a text with a list, has lists of different
        lengths, or fills other ``{fields}`` in one language than in the other. The
        message names the file and the key.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: not valid TOML ({exc})") from None
    out: dict[str, dict[str, Text]] = {}
    _walk(raw, "", out, path.name)
    return out


def _walk(node: dict[str, Any], prefix: str, out: dict[str, dict[str, Text]], where: str) -> None:
    """Flatten nested tables into dotted keys; a table with ``en`` or ``ar`` (or nothing) is an entry."""
    for name, value in node.items():
        key = f"{prefix}{name}"
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: {key} is a bare value; each text is a table [{key}] with en and ar")
        if not value or any(lang in value for lang in LANGUAGES):
            if key in out:  # e.g. [a.b] and ["a.b"]
                raise ConfigError(f"{where}: [{key}] is given twice")
            out[key] = _entry(key, value, where)
        else:
            _walk(value, f"{key}.", out, where)


def _entry(key: str, value: dict[str, Any], where: str) -> dict[str, Text]:
    """One entry, checked: both languages, the same shape, the same fields."""
    missing = [lang for lang in LANGUAGES if lang not in value]
    if missing:
        raise ConfigError(f"{where}: [{key}] has no {' and no '.join(missing)} text")
    extra = sorted(set(value) - set(LANGUAGES))
    if extra:
        raise ConfigError(f"{where}: [{key}] has {', '.join(extra)} besides {' and '.join(LANGUAGES)}")
    texts: dict[str, Text] = {}
    for lang in LANGUAGES:
        v = value[lang]
        if isinstance(v, str):
            texts[lang] = v
        elif isinstance(v, list) and all(isinstance(x, str) for x in v):
            texts[lang] = tuple(v)
        else:
            raise ConfigError(f"{where}: [{key}] {lang} must be a text or a list of texts; got {v!r}")
    first, *others = (texts[lang] for lang in LANGUAGES)
    for lang, other in zip(LANGUAGES[1:], others, strict=True):
        if type(other) is not type(first):
            raise ConfigError(f"{where}: [{key}] is a text in {LANGUAGES[0]} but not in {lang}, or the reverse")
        if isinstance(first, tuple) and len(first) != len(other):
            raise ConfigError(f"{where}: [{key}] lists {len(first)} texts in {LANGUAGES[0]} and {len(other)} in {lang}")
    pairs = (
        zip(*(texts[lang] for lang in LANGUAGES), strict=True) if isinstance(first, tuple) else [tuple(texts.values())]
    )
    for i, pair in enumerate(pairs):
        fields = [_fields(text, key, where) for text in pair]
        if any(f != fields[0] for f in fields[1:]):
            item = f" item {i + 1}" if isinstance(first, tuple) else ""
            shown = "; ".join(
                f"{lang} {{{', '.join(sorted(f)) or ''}}}" for lang, f in zip(LANGUAGES, fields, strict=True)
            )
            raise ConfigError(f"{where}: [{key}]{item} fills different fields in each language: {shown}")
    return texts


def _fields(text: str, key: str, where: str) -> frozenset[str]:
    """Names of the ``{fields}`` a text fills."""
    try:
        return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)
    except ValueError as exc:  # an unmatched brace
        raise ConfigError(f"{where}: [{key}] has a malformed {{field}}: {exc}") from None


#: The catalogue: ``{key: {"en": text, "ar": text}}``, read once and read-only.
WORDS: Mapping[str, Mapping[str, Text]] = MappingProxyType({k: MappingProxyType(v) for k, v in read().items()})


# --------------------------------------------------------------------------- looking words up


def check_language(language: str) -> str:
    """``language`` if it is one of :data:`LANGUAGES`; otherwise a :class:`~b12risk.errors.ConfigError`."""
    if language not in LANGUAGES:
        raise ConfigError(f"language must be one of {', '.join(LANGUAGES)}; got {language!r}")
    return language


def has(key: str) -> bool:
    """Whether the catalogue has an entry ``key``."""
    return key in WORDS


def _lookup(key: str, language: str) -> Text:
    try:
        entry = WORDS[key]
    except KeyError:
        raise KeyError(f"{CATALOGUE.name} has no entry [{key}]") from None
    return entry[language]


def t(key: str, language: str) -> str:
    """The text ``key`` in ``language``, as written (not filled).

    Raises
    ------
    KeyError
        If the catalogue has no entry ``key`` (the message names it) or no such language.
    TypeError
        If the entry is a list of texts (see :func:`items`).
    """
    text = _lookup(key, language)
    if not isinstance(text, str):
        raise TypeError(f"[{key}] is a list of texts; read it with items()")
    return text


def items(key: str, language: str) -> tuple[str, ...]:
    """The list of texts ``key`` in ``language`` (e.g. ``card.limitations``)."""
    texts = _lookup(key, language)
    if isinstance(texts, str):
        raise TypeError(f"[{key}] is one text; read it with t()")
    return texts


def say(key: str, language: str, **values: Any) -> str:
    """The text ``key`` in ``language`` filled with ``values`` (:meth:`str.format`).

    In Arabic, text values (versions, dates, names, numbers already formatted) are
    wrapped in first-strong isolates (U+2068 ... U+2069), so each keeps its own
    direction inside the Arabic sentence. Without ``values`` the text is returned as
    written.
    """
    text = t(key, language)
    if not values:
        return text
    if language != "en":
        values = {k: f"\u2068{v}\u2069" if isinstance(v, str) else v for k, v in values.items()}
    return text.format(**values)


# --------------------------------------------------------------------------- units

#: Units shown differently in Arabic; laboratory units stay in their international form.
UNITS_AR: dict[str, str] = {"years": "سنة", "pills/day": "حبة/يوم", "mg/day": "ملغ/يوم"}

#: Other spellings of a unit that a field's Arabic label may already carry, "(سنوات)".
UNIT_ALIASES_AR: dict[str, tuple[str, ...]] = {"years": ("سنوات",)}


def t_unit(unit: str | None, language: str) -> str | None:
    """A unit as shown in ``language``."""
    if unit is None or language != "ar":
        return unit
    return UNITS_AR.get(unit, unit)


def unit_forms(unit: str | None, language: str) -> tuple[str, ...]:
    """Every way ``unit`` may be written in ``language`` (shown form first)."""
    if unit is None:
        return ()
    shown = t_unit(unit, language)
    return (shown, *(UNIT_ALIASES_AR.get(unit, ()) if language == "ar" else ()))
