"""HTML of the reviewers' report; private to :mod:`b12risk.reporting.report`.

:func:`b12risk.reporting.html.page.render_page` writes the page: its header and alerts,
then one section per module, in :data:`b12risk.reporting.data.SECTIONS` order
(:mod:`~b12risk.reporting.html.card`, :mod:`~b12risk.reporting.html.provenance`,
:mod:`~b12risk.reporting.html.performance`, :mod:`~b12risk.reporting.html.nhanes`,
:mod:`~b12risk.reporting.html.explanations`, :mod:`~b12risk.reporting.html.knowledge`,
:mod:`~b12risk.reporting.html.tripod`, :mod:`~b12risk.reporting.html.reproduce`);
:mod:`~b12risk.reporting.html.markup` writes the escaped HTML they share.
"""
