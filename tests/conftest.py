"""Shared fixtures: a tiny trained model (seconds to train) for tests of prediction."""

from pathlib import Path

import pytest

TINY = Path(__file__).parent / "data" / "tiny.toml"


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """A LoadedModel trained with tests/data/tiny.toml (recalibrated per level)."""
    from b12risk import registry
    from b12risk.modelling.training import train

    root = tmp_path_factory.mktemp("tiny-models")
    train(TINY, root=root, version="0.1.0", force=True, progress=False)
    return registry.load_model(str(root / "b12risk-0.1.0"))


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory):
    """The project built as a wheel once per run (pip wheel, no dependencies)."""
    import shutil
    import subprocess
    import sys

    if shutil.which("git") is None:  # pragma: no cover
        pytest.skip("needs git")
    out = tmp_path_factory.mktemp("wheel")
    root = Path(__file__).resolve().parents[1]
    res = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(root), "--no-deps", "-q", "-w", str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    return next(out.glob("b12risk-*.whl"))
