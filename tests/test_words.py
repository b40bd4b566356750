"""Specifications of the text catalogue (:mod:`b12risk.words`, ``words.toml``).

The catalogue is checked when it is read: a broken copy of the file must fail naming
the key. Then every key the code asks for must be in it: keys written out in the
source (found by walking the source), and the families of keys built from data (the
information levels, the page's sections, the knowledge base's kinds, ...). Whether a
key is still used is not checked: keys are also built at run time from data, so no
walk of the source can prove a key dead.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from b12risk import words
from b12risk.errors import ConfigError
from b12risk.knowledge import LEVELS, load
from b12risk.knowledge.disagreements import DRIVERS
from b12risk.reporting.data import SECTIONS
from b12risk.reporting.html.tripod import TRIPOD

SRC = Path(words.__file__).resolve().parent
TEXT = words.CATALOGUE.read_text(encoding="utf-8")


def broken(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the catalogue with ``old`` (which must be there once) replaced by ``new``."""
    assert TEXT.count(old) == 1, old
    path = tmp_path / "words.toml"
    path.write_text(TEXT.replace(old, new), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- the file as read


def test_every_entry_has_both_languages_and_the_same_fields():
    assert len(words.WORDS) > 400
    for key, entry in words.WORDS.items():
        assert set(entry) == set(words.LANGUAGES), key
        en, ar = entry["en"], entry["ar"]
        pairs = list(zip(en, ar, strict=True)) if isinstance(en, tuple) else [(en, ar)]
        for a, b in pairs:
            # The English calibration legend has no title; every other text says something.
            assert (a.strip() or key == "fig.calib_legend") and b.strip(), key
            fields = [sorted(n for _, n, _, _ in string.Formatter().parse(x) if n) for x in (a, b)]
            assert fields[0] == fields[1], key


def test_the_model_card_lists_have_as_many_arabic_as_english_items():
    for key in ("card.out_of_scope", "card.limitations"):
        en, ar = words.items(key, "en"), words.items(key, "ar")
        assert len(en) == len(ar) >= 4, key


def test_a_copy_of_the_shipped_file_reads_back_the_same(tmp_path):
    path = tmp_path / "words.toml"
    path.write_text(TEXT, encoding="utf-8")
    assert words.read(path) == {k: dict(v) for k, v in words.WORDS.items()}


# --------------------------------------------------------------------------- broken copies fail naming the key


def test_a_key_without_its_arabic_text_is_refused_naming_the_key(tmp_path):
    path = broken(tmp_path, '[contents]\nen = "Contents"\nar = "المحتويات"\n', '[contents]\nen = "Contents"\n')
    with pytest.raises(ConfigError, match=re.escape("words.toml: [contents] has no ar text")):
        words.read(path)


def test_a_key_without_any_text_is_refused_naming_the_key(tmp_path):
    path = broken(tmp_path, '[contents]\nen = "Contents"\nar = "المحتويات"\n', "[contents]\n")
    with pytest.raises(ConfigError, match=re.escape("[contents] has no en and no ar text")):
        words.read(path)


def test_a_third_language_or_a_typo_is_refused(tmp_path):
    path = broken(tmp_path, '[contents]\nen = "Contents"\n', '[contents]\nen = "Contents"\nfr = "Sommaire"\n')
    with pytest.raises(ConfigError, match=re.escape("[contents] has fr besides en and ar")):
        words.read(path)


def test_lists_of_different_lengths_are_refused(tmp_path):
    path = broken(
        tmp_path,
        '    "تختلف السيناريوهات فقط في من تضم، بينما قد تختلف الفئات الحقيقية أيضاً في طريقة تأثير الأسباب.",\n',
        "",
    )
    with pytest.raises(ConfigError, match=re.escape("[card.limitations] lists 4 texts in en and 3 in ar")):
        words.read(path)


def test_different_fields_in_the_two_languages_are_refused(tmp_path):
    path = broken(tmp_path, 'ar = "{k} من {n} صفاً عليها تنبيه."', 'ar = "{k} من {m} صفاً عليها تنبيه."')
    with pytest.raises(ConfigError, match=re.escape("[subgroup_summary] fills different fields in each language")):
        words.read(path)


def test_a_bare_value_is_refused(tmp_path):
    path = broken(tmp_path, "\n[low]\n", '\nstray = "text"\n\n[low]\n')  # before the first table
    with pytest.raises(ConfigError, match=re.escape("stray is a bare value")):
        words.read(path)


def test_an_unknown_key_is_named_when_asked_for():
    with pytest.raises(KeyError, match=re.escape("words.toml has no entry [h.no-such-section]")):
        words.t("h.no-such-section", "en")
    assert not words.has("h.no-such-section") and words.has("h.nhanes")


def test_arabic_text_values_keep_their_own_direction():
    assert words.say("nh_group_any", "en", group="2001-2004") == "NHANES 2001-2004"
    assert words.say("nh_group_any", "ar", group="2001-2004") == "NHANES \u20682001-2004\u2069"
    assert words.say("subgroup_summary", "ar", k=2, n=40) == "2 من 40 صفاً عليها تنبيه."  # numbers as given


# --------------------------------------------------------------------------- every key the code asks for is there


def _prefixes(tree: ast.Module, path: Path) -> dict[str, str]:
    """Names that look a word up in this module, and the prefix each puts before its key."""
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "b12risk.words":
            found |= {a.asname or a.name: "" for a in node.names if a.name in ("t", "say", "items")}
        if isinstance(node, ast.ImportFrom) and node.module == "b12risk.reporting.figures.layout":
            found |= {a.asname or a.name: "fig." for a in node.names if a.name == "word"}
        if isinstance(node, ast.ImportFrom) and node.module == "b12risk.serving.plots.common":
            found |= {a.asname or a.name: "plot." for a in node.names if a.name == "plot_text"}
    if path == SRC / "reporting" / "figures" / "layout.py":
        found["word"] = "fig."
    if path == SRC / "reporting" / "plots" / "common.py":
        found["plot_text"] = "plot."
    return found


def _asked_for() -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(key, where) written out in a lookup, and (prefix, where) of keys built with an f-string."""
    keys, prefixes = set(), set()
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "words.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        lookups = _prefixes(tree, path)
        where = str(path.relative_to(SRC))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            fn, arg = node.func, node.args[0]
            if isinstance(fn, ast.Attribute) and fn.attr == "head" and isinstance(arg, ast.Constant):
                keys |= {(k if "." in k else f"col.{k}", where) for k in str(arg.value).split()}
                continue
            if isinstance(fn, ast.Attribute) and fn.attr == "w":
                prefix = ""
            elif isinstance(fn, ast.Name) and fn.id in lookups:
                prefix = lookups[fn.id]
            else:
                continue
            branches = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]  # "ok" if ok else "not_ok"
            if all(isinstance(b, ast.Constant) and isinstance(b.value, str) for b in branches):
                keys |= {(prefix + b.value, where) for b in branches}
            elif isinstance(arg, ast.JoinedStr) and isinstance(arg.values[0], ast.Constant):
                prefixes.add((prefix + arg.values[0].value, where))
            elif isinstance(arg, ast.BinOp) and isinstance(arg.left, ast.Constant):
                prefixes.add((prefix + arg.left.value, where))
    return keys, prefixes


def test_every_key_written_out_in_the_code_is_in_the_catalogue():
    keys, prefixes = _asked_for()
    assert len(keys) > 250  # the walk finds the lookups
    assert sorted((k, w) for k, w in keys if k not in words.WORDS) == []
    assert sorted((p, w) for p, w in prefixes if not any(k.startswith(p) for k in words.WORDS)) == []


def test_every_key_built_from_data_is_in_the_catalogue():
    kb = load()
    families = {
        "level.": LEVELS,
        "h.": SECTIONS,
        "kind.": {c.kind for c in kb.causes.values()},
        "mech.": {c.mechanism for c in kb.causes.values()},
        "tier.": {s.tier for s in kb.symptoms.values()},
        "status.": {e.status for e in kb.literature.values()},
        "drives.": DRIVERS,  # every side a disagreement may name, used or not
        "basis.": ("observed", "what-if"),
        "dir.": ("raises", "lowers", "none"),
        "verdict.": ("agrees", "opposite", "none"),
        "metric.": ("auroc", "auprc", "brier", "cal_slope", "cal_intercept"),
        "guideline.": ("deficient", "indeterminate", "not_deficient"),
        "order.": ("highest", "lowest", "pair"),
        "nh.cmp.": ("worse", "better", "overlap", "paired.worse", "paired.better", "paired.overlap"),
        "lim.rank.": ("worse", "better", "overlap", "paired.worse", "paired.better", "paired.overlap"),
        "nh.cal.": ("under", "over", "ok"),
        "lim.cal.": ("under", "over", "ok"),
        "nh.sim.": ("more", "fewer", "close"),
        "lim.sim.": ("more", "fewer", "close"),
        "tripod.": [number for number, _ in TRIPOD],
        "na.": [where.removeprefix("n/a:") for _, where in TRIPOD if where.startswith("n/a:")],
        "": ("low", "moderate", "high"),  # the risk bands of a model's metadata
    }
    missing = [prefix + name for prefix, names in families.items() for name in names]
    assert [k for k in missing if k not in words.WORDS] == []
