"""What a scoring run reports: :class:`ScoreSummary`, and the check that every row read was
either scored or rejected."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from b12risk.errors import B12RiskError

__all__ = ["ScoreSummary"]


@dataclass(frozen=True)
class ScoreSummary:
    """What a scoring run did.

    Attributes
    ----------
    rows_in : int
        Rows read from the input; always ``rows_scored + rows_rejected``.
    rows_scored : int
        Rows written to the output with a probability.
    rows_rejected : int
        Rows that failed validation: listed in the errors file (:func:`score_file`) or
        given an ``error`` and no probability (:func:`score_with_dask`).
    output : pathlib.Path or str
        The output file; on a cluster the output folder (a str when it is a URL).
    errors_path : pathlib.Path or None
        ``OUTPUT.errors`` with one line per problem of each rejected row; None when no
        row was rejected, or on a cluster (where the ``error`` column says it).
    seconds : float
        Wall time of the scoring calls, model loading included, summed over an
        interrupted run and its resumptions.
    """

    rows_in: int
    rows_scored: int
    rows_rejected: int
    output: Path | str
    errors_path: Path | None
    seconds: float

    @property
    def rows_per_second(self) -> float:
        """Rows read per second of scoring time."""
        return self.rows_in / self.seconds if self.seconds > 0 else float("nan")


def _check_counts(rows_in: int, scored: int, rejected: int) -> None:
    if rows_in != scored + rejected:
        raise B12RiskError(
            f"internal error: {rows_in} rows read but {scored} scored and {rejected} rejected "
            f"({scored + rejected}); every row must be one or the other"
        )
