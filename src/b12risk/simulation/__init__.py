"""Synthetic cohorts from the knowledge base and their exact posterior.

- :mod:`~b12risk.simulation.structural`: the equations shared by simulator and oracle;
- :mod:`~b12risk.simulation.biomarkers`: one spec per measured biomarker;
- :mod:`~b12risk.simulation.cohort`: :func:`~b12risk.simulation.cohort.simulate`;
- :mod:`~b12risk.simulation.oracle`: :func:`~b12risk.simulation.oracle.oracle_probability`.
"""
