"""Floors under the leave-one-policy-out figures: each policy answered as a new one.

Measured with ``python -m assistant.policy.loo`` (README, "Quality and speed"): hit@1 / hit@3
as replied / out-of-scope refused / in-scope refused of the final configuration
park-esafety 0.720 / 0.880 / 33% / 0%, park-safeguarding 0.600 / 0.760 / 67% / 4%,
poundhill-child-protection 0.480 / 0.640 / 33% / 0%,
Wootton (reporting sets, its labelled questions withheld) 0.544 / 0.715 / 51% / 1%.
Each floor sits at least one question under its figure. The development policies are other
schools' documents, read from /work/shared/policies only.
"""

from __future__ import annotations

import pytest

from assistant.policy import loo

FLOORS = {
    "park-esafety": {"hit1": 0.68, "hit3": 0.84, "refused_out": 0.16, "refused_in": 0.08},
    "park-safeguarding": {"hit1": 0.56, "hit3": 0.72, "refused_out": 0.5, "refused_in": 0.08},
    "poundhill-child-protection": {
        "hit1": 0.44,
        "hit3": 0.6,
        "refused_out": 0.16,
        "refused_in": 0.04,
    },
    loo.WOOTTON: {"hit1": 0.53, "hit3": 0.70, "refused_out": 0.48, "refused_in": 0.02},
}


@pytest.fixture(scope="module")
def results(minilm):
    policies = loo.development()
    if not policies:
        pytest.skip(f"the development policies are not in {loo.SHARED}")
    return loo.leave_one_out([*policies, loo.wootton()], loo.CachedEmbedder(minilm, path=None))


@pytest.mark.model
@pytest.mark.parametrize("name", sorted(FLOORS))
def test_zero_shot_floor(results, name):
    dense, _, final = results[name]
    floor = FLOORS[name]
    figures = {
        "hit1": final.hit1,
        "hit3": final.hit3,
        "refused_out": final.refused_out or 0.0,
        "refused_in": final.refused_in or 0.0,
    }
    assert figures["hit1"] >= floor["hit1"], figures
    assert figures["hit3"] >= floor["hit3"], figures
    assert figures["refused_out"] >= floor["refused_out"], figures
    assert figures["refused_in"] <= floor["refused_in"], figures
    # No worse than dense MiniLM alone over the same clauses.
    assert final.hit1 >= dense.hit1 and final.hit3 >= dense.hit3, (figures, dense)
