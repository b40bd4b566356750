"""Saving a SHAP figure as PNG or SVG."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from b12risk.errors import ConfigError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["save"]


def save(fig: Figure, path: str | Path, *, dpi: int = 150) -> Path:
    """Write ``fig`` as PNG or SVG, chosen by the file's suffix.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure from this module (or any other).
    path : str or pathlib.Path
        Where to write; the suffix ``.png`` or ``.svg`` chooses the format. The parent
        folder must exist.
    dpi : int, default 150
        Resolution of a PNG.

    Returns
    -------
    pathlib.Path
        ``path``. Nothing is closed and pyplot is not involved.

    Raises
    ------
    ConfigError
        If the suffix is neither ``.png`` nor ``.svg``.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ConfigError(f"save writes .png or .svg files. Got {path.name!r} instead; change its suffix.")
    # No date in SVG files, so the same figure gives the same bytes.
    metadata = {"Date": None} if fmt == "svg" else None
    fig.savefig(path, format=fmt, dpi=dpi, bbox_inches="tight", metadata=metadata)
    return path
