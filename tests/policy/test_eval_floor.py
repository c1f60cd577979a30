"""Floors under the measured retrieval and refusal figures (a regression fails here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.policy.evaluate import evaluate, load_questions

EVAL = Path(__file__).resolve().parents[1] / "eval"
CORPUS = Path(__file__).resolve().parents[2] / "policy_corpus"

# Measured with the defaults. The query adapter, the vote of the nearest labelled questions and
# the word and vector odds are trained on the shipped questions (dev, train and train2 to
# train9), so those sets' figures are in-sample: hit@1 / hit@3 (as replied) / out-of-scope
# refused / in-scope refused
# dev 0.993 / 1.000 / 100% / 0.0%, train 0.995 / 0.995 / 100% / 0.0%,
# train2 0.985 / 0.997 / 100% / 0.0%, train3 0.990 / 0.997 / 100% / 0.0%,
# train4 0.985 / 0.985 / 100% / 0.0%, train5 0.989 / 0.993 / 100% / 0.0%,
# train6 0.990 / 1.000 / 100% / 0.0%, train7 0.951 / 0.954 / 100% / 0.0%,
# train8 1.000 / 1.000 / 100% / 0.0%, train9 0.981 / 0.986 / 100% / 0.0% (all trained on;
# a labelled question asked again keeps its label, so each is refused or answered as labelled),
# holdout 0.890 / 0.973 / 93% / 0.0% (reporting only, never trained or tuned on).
# Each floor sits at least one question under its figure.
# Unseen-question figures for the training sets come from cross-validation
# (python -m assistant.policy.fit, tests/eval/README.md).
FLOORS = {
    "dev.jsonl": {"hit1": 0.98, "hit3": 0.99, "refused_out": 0.96, "refused_in": 0.01},
    "train.jsonl": {"hit1": 0.98, "hit3": 0.99, "refused_out": 0.96, "refused_in": 0.01},
    "train2.jsonl": {"hit1": 0.98, "hit3": 0.99, "refused_out": 0.98, "refused_in": 0.01},
    "train3.jsonl": {"hit1": 0.98, "hit3": 0.99, "refused_out": 0.98, "refused_in": 0.01},
    "train4.jsonl": {"hit1": 0.97, "hit3": 0.98, "refused_out": 0.99, "refused_in": 0.01},
    "train5.jsonl": {"hit1": 0.97, "hit3": 0.98, "refused_out": 0.99, "refused_in": 0.01},
    "train6.jsonl": {"hit1": 0.97, "hit3": 0.98, "refused_out": 0.99, "refused_in": 0.01},
    "train7.jsonl": {"hit1": 0.93, "hit3": 0.94, "refused_out": 0.98, "refused_in": 0.01},
    "train8.jsonl": {"hit1": 0.98, "hit3": 0.99, "refused_out": 0.99, "refused_in": 0.01},
    "train9.jsonl": {"hit1": 0.96, "hit3": 0.97, "refused_out": 0.99, "refused_in": 0.01},
    "holdout.jsonl": {"hit1": 0.88, "hit3": 0.95, "refused_out": 0.85, "refused_in": 0.02},
}


@pytest.mark.model
@pytest.mark.parametrize("name", sorted(FLOORS))
def test_eval_floor(minilm_answerer, name):
    result = evaluate(minilm_answerer, load_questions(EVAL / name))
    floor = FLOORS[name]
    # Only the figures reach the report: reporting sets' questions must not be printed.
    figures = {
        "hit1": result.hit1,
        "hit3": result.hit3,
        "refused_out": result.refused_out or 0.0,
        "refused_in": result.refused_in or 0.0,
        "replied_hit3": result.replied_hit3,
    }
    assert figures["hit1"] >= floor["hit1"], figures
    assert figures["hit3"] >= floor["hit3"], figures
    # What staff are shown holds the ranking's floor too: a gold clause among those quoted.
    assert figures["replied_hit3"] >= floor["hit3"], figures
    assert figures["refused_out"] >= floor["refused_out"], figures
    assert figures["refused_in"] <= floor["refused_in"], figures


REPORTING = (
    "holdout.jsonl",
    "blind.jsonl",
    "fresh.jsonl",
    "unseen.jsonl",
    "staffroom.jsonl",
)
TRAINING = (
    "dev.jsonl",
    "train.jsonl",
    "train2.jsonl",
    "train3.jsonl",
    "train4.jsonl",
    "train5.jsonl",
    "train6.jsonl",
    "train7.jsonl",
    "train8.jsonl",
    "train9.jsonl",
)


def _questions(name: str) -> set[str]:
    return {" ".join(q.q.lower().split()) for q in load_questions(EVAL / name)}


def test_the_shipped_questions_are_the_training_sets_and_no_reporting_question():
    shipped = CORPUS / "wootton-social-media-policy.questions.jsonl"
    joined = "".join((EVAL / name).read_text(encoding="utf-8") for name in TRAINING)
    assert shipped.read_text(encoding="utf-8") == joined
    trained = set().union(*(_questions(name) for name in TRAINING))
    for name in REPORTING:
        # Only a count, never the questions: reporting sets stay unread.
        assert len(_questions(name) & trained) == 0, name
