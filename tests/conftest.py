"""Shared fixtures: a tiny trained model (seconds to train) for tests of prediction."""

from pathlib import Path

import pytest

TINY = Path(__file__).parent / "data" / "tiny.toml"


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """A LoadedModel trained with tests/data/tiny.toml (recalibrated per level)."""
    from b12risk import registry
    from b12risk.training import train

    root = tmp_path_factory.mktemp("tiny-models")
    train(TINY, root=root, version="0.1.0", force=True, progress=False)
    return registry.load_model(str(root / "b12risk-0.1.0"))
