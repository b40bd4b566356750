"""Where the source article, a primary source and real data disagree: the typed entries of
``seeds/disagreements.toml`` and the checks that tie them to the other seed files.

Each entry keeps every side (the article's statement by paragraph, the primary sources,
the real-population figures) and says which one drives the simulator (:data:`DRIVERS`)
and why. A calibration target of ``epidemiology.toml`` whose figure does not drive the
simulator names its entry here; :func:`cross_check` holds the two files to each other.

Examples
--------
>>> from b12risk.knowledge import load
>>> kb = load()
>>> entry = kb.disagreements["us_uk_prevalence"]
>>> entry.article.paragraph, entry.drives
(4, 'real_data')
>>> kb.epidemiology["us_uk_60_plus"].disagreement
'us_uk_prevalence'
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from pydantic import Field, model_validator

from b12risk.errors import KnowledgeError
from b12risk.knowledge.sections import Source, Strict

if TYPE_CHECKING:
    from b12risk.knowledge.sections import Target

__all__ = [
    "ARTICLE_PARAGRAPHS",
    "DRIVERS",
    "ArticleStatement",
    "Disagreement",
    "PrimarySource",
    "RealData",
    "cross_check",
]

#: Paragraphs of the source article (shared/seed/FACTS.md numbers them 1 to 4).
ARTICLE_PARAGRAPHS = 4

#: The side of a disagreement the simulator can follow.
Driver = Literal["article", "primary", "real_data"]
#: The values ``drives`` may take, in the order the report names them.
DRIVERS: tuple[str, ...] = get_args(Driver)


class ArticleStatement(Strict):
    """What the source article says: its paragraph, the statement in English and its figure."""

    paragraph: int = Field(ge=1, le=ARTICLE_PARAGRAPHS)
    text: Source
    figure: Source


class PrimarySource(Strict):
    """A published study or guideline and the figure it gives."""

    citation: Source
    figure: Source


class RealData(Strict):
    """A measurement of a real population and the figure it gives."""

    source: Source
    figure: Source


class Disagreement(Strict):
    """One question on which the article, primary sources and real data differ, every side
    kept, with the side that drives the simulator (``drives``) and the reason."""

    label_en: Source
    label_ar: Source
    claim: Source
    article: ArticleStatement
    primary: tuple[PrimarySource, ...] = ()
    real_data: tuple[RealData, ...] = ()
    drives: Driver
    reason: Source
    in_simulator: Source
    #: Seed entries the question bears on, as ``<file>.<entry>[.<key>...]``.
    concerns: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _sides(self) -> Disagreement:
        if not self.primary and not self.real_data:
            raise ValueError(
                "a disagreement needs a side besides the article: give [[<entry>.primary]] or [[<entry>.real_data]]"
            )
        if self.drives != "article" and not getattr(self, self.drives):
            raise ValueError(f"drives = {self.drives!r}, but the entry gives no [[<entry>.{self.drives}]]")
        return self


def _exists(raw: dict[str, Any], dotted: str) -> bool:
    node: Any = raw
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def cross_check(
    directory: Path,
    raw: dict[str, dict[str, Any]],
    epidemiology: dict[str, Target],
    disagreements: dict[str, Disagreement],
) -> None:
    """Check the disagreements against the other seed files.

    Parameters
    ----------
    directory : Path
        The seeds folder (for the messages).
    raw : dict
        Every seed file as read, ``{file: table}``, with overrides merged.
    epidemiology : dict
        The validated calibration targets of ``epidemiology.toml``.
    disagreements : dict
        The validated entries of ``disagreements.toml``.

    Raises
    ------
    KnowledgeError
        If a disagreement's ``concerns`` names a seed entry that does not exist, a target
        names an unknown disagreement, or a target's ``drives`` contradicts its
        disagreement (an article figure drives exactly where the disagreement says the
        article drives). The message names the file, the entry and the value.
    """
    path = directory / "disagreements.toml"
    for name, entry in disagreements.items():
        for ref in entry.concerns:
            if not _exists(raw, ref):
                raise KnowledgeError(
                    f"{path}: [{name}.concerns] names {ref!r}, which is not an entry of seeds/; "
                    "write it as <file>.<entry>[.<key>...], e.g. 'epidemiology.us_uk_60_plus'"
                )
    epi = directory / "epidemiology.toml"
    for name, target in epidemiology.items():
        if target.disagreement is None:
            continue
        entry = disagreements.get(target.disagreement)
        if entry is None:
            raise KnowledgeError(
                f"{epi}: [{name}.disagreement] names {target.disagreement!r}, which is not an entry of "
                f"disagreements.toml; known: {', '.join(sorted(disagreements))}"
            )
        if target.drives != (entry.drives == "article"):
            raise KnowledgeError(
                f"{epi}: [{name}.drives] is {str(target.drives).lower()}, but disagreements.toml "
                f"[{target.disagreement}] says the {entry.drives} drives the simulator; an article figure "
                "drives exactly where its disagreement says the article does"
            )
