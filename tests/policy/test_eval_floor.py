"""Floors under the measured retrieval and refusal figures (a regression fails here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.policy.evaluate import evaluate, load_questions

EVAL = Path(__file__).resolve().parents[1] / "eval"

# Measured with the defaults (dev / holdout): hit@1 0.664 / 0.589, hit@3 0.857 / 0.685,
# out-of-scope refused 68% / 71%, in-scope refused 2.9% / 11.0%.
FLOORS = {
    "dev.jsonl": {"hit1": 0.64, "hit3": 0.83, "refused_out": 0.64, "refused_in": 0.04},
    "holdout.jsonl": {"hit1": 0.56, "hit3": 0.65, "refused_out": 0.64, "refused_in": 0.14},
}


@pytest.mark.model
@pytest.mark.parametrize("name", sorted(FLOORS))
def test_eval_floor(minilm_answerer, name):
    result = evaluate(minilm_answerer, load_questions(EVAL / name))
    floor = FLOORS[name]
    assert result.hit1 >= floor["hit1"]
    assert result.hit3 >= floor["hit3"]
    assert result.refused_out is not None and result.refused_out >= floor["refused_out"]
    assert result.refused_in is not None and result.refused_in <= floor["refused_in"]
