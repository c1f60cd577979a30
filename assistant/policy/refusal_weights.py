"""The refusal model's weights, kept in ``refusal_weights.json`` beside this module.

The file is written by ``python -m assistant.policy.fit`` (see ``tests/eval/README.md``)
and read once when :mod:`assistant.policy.answer` is imported.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError

WEIGHTS_PATH = Path(__file__).resolve().with_name("refusal_weights.json")


@dataclass(frozen=True)
class RefusalWeights:
    """A logistic model of "out of scope" and where to refuse, as fitted."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float  # refuse when P(out of scope) is above this
    relative_cut: float  # cite further clauses scoring at least this share of the best
    fitting: dict[str, Any] = field(default_factory=dict, compare=False)  # how, on what


def read_weights(path: Path = WEIGHTS_PATH) -> RefusalWeights:
    """The weights stored at ``path``; ConfigError names what is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        found = RefusalWeights(
            features=tuple(str(f) for f in data["features"]),
            weights=tuple(float(w) for w in data["weights"]),
            bias=float(data["bias"]),
            threshold=float(data["threshold"]),
            relative_cut=float(data["relative_cut"]),
            fitting=dict(data.get("fitting", {})),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"cannot read the refusal weights in {path}: {exc}") from exc
    numbers = (*found.weights, found.bias, found.threshold, found.relative_cut)
    if len(found.weights) != len(found.features) or not all(map(math.isfinite, numbers)):
        raise ConfigError(f"the refusal weights in {path} do not match their features")
    return found


def write_weights(path: Path, weights: RefusalWeights) -> None:
    """Store ``weights`` at ``path`` atomically, numbers rounded to what the file keeps."""
    data = {
        "features": list(weights.features),
        "weights": [round(float(w), 3) for w in weights.weights],
        "bias": round(float(weights.bias), 3),
        "threshold": round(float(weights.threshold), 3),
        "relative_cut": weights.relative_cut,
        "fitting": weights.fitting,
    }
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
