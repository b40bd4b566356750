"""Training progress: scikit-learn's own per-iteration report of the boosting, shown as a progress bar.

``HistGradientBoostingClassifier(verbose=2)`` prints one line per boosting iteration
(``[12/1000] 1 tree, 31 leaves, max depth = 9, train loss: 0.30125, val loss: 0.30210,
in 0.123s``). :func:`fit_with_progress` turns it on for the fit only, reads those lines
as they are printed and moves a tqdm bar with the iteration and the validation loss;
other lines (binning, the closing totals) go to the log. Printing cannot change the
fitted model (tested: the same seed gives the same trees with and without the bar),
and the estimator's ``verbose`` is put back before it is saved.
"""

from __future__ import annotations

import io
import logging
import re
from contextlib import redirect_stdout
from typing import Any

from tqdm.auto import tqdm

__all__ = ["fit_with_progress"]

log = logging.getLogger(__name__)

_ITERATION = re.compile(r"^\[(?P<i>\d+)/(?P<of>\d+)\]")
_LOSS = re.compile(r"(?P<which>train|val) (?:loss|score): (?P<value>[-+0-9.eE]+)")


class _Lines(io.TextIOBase):
    """A text stream that hands each complete line it is written to ``on_line``."""

    def __init__(self, on_line: Any) -> None:
        super().__init__()
        self._on_line = on_line
        self._held = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._held += text
        *lines, self._held = self._held.split("\n")
        for line in lines:
            self._on_line(line)
        return len(text)

    def flush(self) -> None:  # lines are handed on as they end
        pass

    def close(self) -> None:
        if self._held:
            self._on_line(self._held)
            self._held = ""
        super().close()


def fit_with_progress(
    pipe: Any, X: Any, y: Any, *, progress: bool, desc: str = "fit gradient boosting", sample_weight: Any = None
) -> Any:
    """``pipe.fit(X, y)``, showing the boosting's iterations and losses as a tqdm bar when ``progress``.

    Parameters
    ----------
    pipe : sklearn.pipeline.Pipeline
        Ending in a ``HistGradientBoostingClassifier``.
    X, y
        Training rows and outcomes.
    progress : bool
        Show the bar; without it this is ``pipe.fit(X, y)``.
    desc : str
        The bar's label.
    sample_weight : array-like, optional
        Passed to the boosting's ``fit`` (``hgb__sample_weight``).

    Returns
    -------
    The fitted ``pipe``.
    """
    kwargs = {} if sample_weight is None else {f"{pipe.steps[-1][0]}__sample_weight": sample_weight}
    if not progress:
        return pipe.fit(X, y, **kwargs)
    hgb = pipe[-1]
    before = hgb.get_params()["verbose"]
    with tqdm(total=hgb.max_iter, desc=desc, unit="iteration") as bar:

        def on_line(line: str) -> None:
            found = _ITERATION.match(line)
            if found is None:
                if line.strip():
                    log.info("%s", line.strip())
                return
            bar.update(int(found["i"]) - bar.n)
            losses = {m["which"]: m["value"] for m in _LOSS.finditer(line)}
            if losses:
                bar.set_postfix_str(", ".join(f"{k} loss {v}" for k, v in losses.items()), refresh=False)

        stream = _Lines(on_line)
        hgb.set_params(verbose=2)
        try:
            with redirect_stdout(stream):
                pipe.fit(X, y, **kwargs)
        finally:
            hgb.set_params(verbose=before)
            stream.close()
        bar.total = bar.n  # early stopping ends before max_iter: the bar ends full
        bar.refresh()
    return pipe
