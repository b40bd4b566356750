"""Writing fitted values back into ``seeds/``, keeping every comment and every entry the
fit did not touch as it was.

The values come as the same nested ``{file: {section: ... {key: table}}}`` mapping that
:func:`b12risk.knowledge.load` accepts as ``overrides``; each leaf table (``value``,
``unit``, ``source`` and any extra numbers) replaces the entry of that name, written as
one inline table. tomlkit does the editing: it round-trips TOML byte for byte where
nothing changed, which hand-written line edits would not guarantee.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from b12risk.errors import KnowledgeError
from b12risk.knowledge.load import SEED_FILES, seeds_dir

__all__ = ["write_overrides"]

#: Significant digits a fitted number keeps in the seeds: far below the fit's own precision.
DIGITS = 4


def _rounded(value: Any) -> Any:
    if isinstance(value, float) and math.isfinite(value) and value != 0.0:
        return round(value, DIGITS - 1 - math.floor(math.log10(abs(value))))
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _is_leaf(node: dict[str, Any]) -> bool:
    return "value" in node and "source" in node


def _put(table: Any, node: dict[str, Any], where: str) -> None:
    import tomlkit

    for key, value in node.items():
        if not isinstance(value, dict):
            raise KnowledgeError(f"{where}.{key}: expected a table of values with a source, got {value!r}")
        if _is_leaf(value):
            # the seeds' own layout, "{ value = ..., source = ... }", which tomlkit's builder does not pad
            parts = ", ".join(f"{k} = {tomlkit.item(_rounded(v)).as_string()}" for k, v in value.items())
            table[key] = tomlkit.parse(f"x = {{ {parts} }}")["x"]
        else:
            if key not in table:
                raise KnowledgeError(f"{where}: has no section {key!r} to write into")
            _put(table[key], value, f"{where}.{key}")


def write_overrides(overrides: dict[str, Any], directory: str | Path | None = None) -> list[Path]:
    """Write ``overrides`` into the seed files of ``directory`` (the checkout's ``seeds/``
    by default) and return the files changed.

    Parameters
    ----------
    overrides : dict
        ``{file: {section: ... {key: {"value": ..., "unit": ..., "source": ...}}}}``, as
        :func:`b12risk.knowledge.load` takes them.
    directory : path, optional
        Folder of the seed files.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    KnowledgeError
        If a file or section named is not in the seeds, or a leaf is not a sourced table.
    """
    import tomlkit

    root = seeds_dir() if directory is None else Path(directory)
    written = []
    for name, node in overrides.items():
        if name not in SEED_FILES:
            raise KnowledgeError(f"overrides name unknown seed file {name!r}; expected one of {', '.join(SEED_FILES)}")
        path = root / f"{name}.toml"
        doc = tomlkit.parse(path.read_text(encoding="utf-8"))
        _put(doc, node, name)
        text = tomlkit.dumps(doc)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        written.append(path)
    return written
