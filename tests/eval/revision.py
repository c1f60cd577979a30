"""Do answers survive a revision of the Wootton policy? A measurement, and the test's helpers.

    python tests/eval/revision.py [tests/eval/holdout.jsonl ...]

The revision: a new section 6 ("Use of messaging apps", three clauses) is inserted, sections
6 to 11 become 7 to 12, and three clauses (5.2, 7.3 and 8.2, now 5.2, 8.3 and 9.2) are
reworded with the same meaning in other words. The shipped labelled questions are not
changed, as a school that revised its policy and forgot its questions file would leave them.
The question sets' gold ids are moved to the new numbering before scoring.

Printed for each set (hit@1 / hit@3 as ranked, as replied, refusals):
- the policy before the revision, with its labelled questions;
- the revision with no labelled questions (zero-shot);
- the revision with the labelled questions, rebuilt where the old index was (the record of
  what each gold clause said is there, so renumbered and reworded golds are left out);
- the revision with the labelled questions built afresh (no record: only golds that no longer
  exist are caught; the old 6.x now name the new section's clauses).
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from assistant.policy.adapter import load_training
from assistant.policy.answer import PolicyAnswerer
from assistant.policy.corpus import load_corpus
from assistant.policy.embedder import Embedder
from assistant.policy.evaluate import EvalQuestion, EvalResult, evaluate, load_questions
from assistant.policy.index import build_index

ROOT = Path(__file__).resolve().parents[2]
STEM = "wootton-social-media-policy"
CORPUS = ROOT / "policy_corpus"
NEW_SECTION = [
    "6. USE OF MESSAGING APPS",
    "",
    "- 6.1 Staff must not create or join messaging app groups, such as WhatsApp groups, "
    "that include pupils.",
    "- 6.2 Groups with parents for school trips or clubs may be set up only with the "
    "Principal's approval and must be closed when the activity ends.",
    "- 6.3 Staff must not share photographs of pupils in any messaging app group.",
    "",
]
REWORDED = {  # new id -> the clause's new words
    "5.2": "Writing a recommendation for a colleague or former colleague on LinkedIn or any "
    "other networking site is not allowed, because readers may take it as the Trust's own view.",
    "8.3": "Copies of messages and files may be kept for as long as the Trust needs them and "
    "removed whenever it chooses, without telling staff.",
    "9.2": "Any journalist or outside publication asking about the Trust, on social media or "
    "elsewhere, is passed to the Principal; staff give no comment of their own.",
}
_HEADING = re.compile(r"^(- )?(\d+)\.(\s)")
_CLAUSE = re.compile(r"^(\s*(?:- )?)(\d+)\.(\d+)(\s)")
_CONTENTS = re.compile(r"^(\d+)\.(\t)")


def new_id(old: str) -> str:
    """Where a clause of the original policy is after the revision."""
    match = re.match(r"^(\d+)(.*)$", old)
    if not match or not 6 <= int(match.group(1)) <= 11:
        return old
    return f"{int(match.group(1)) + 1}{match.group(2)}"


def revise_wootton(text: str) -> str:
    """The Wootton policy with a new section 6, the later ones renumbered, three reworded."""
    out: list[str] = []
    body = True
    for line in text.splitlines():
        if line.startswith("APPENDIX A"):
            body = False
        if body and (match := _CONTENTS.match(line)) and int(match.group(1)) >= 6:
            if match.group(1) == "6":
                out.append("6.\tUse of messaging apps\t3")
            line = _CONTENTS.sub(lambda m: f"{int(m.group(1)) + 1}.{m.group(2)}", line)
        elif body and (match := _HEADING.match(line)) and int(match.group(2)) >= 6:
            if match.group(2) == "6":
                out.extend(NEW_SECTION)
            line = _HEADING.sub(
                lambda m: f"{m.group(1) or ''}{int(m.group(2)) + 1}.{m.group(3)}", line
            )
        elif body and (match := _CLAUSE.match(line)) and int(match.group(2)) >= 6:
            line = _CLAUSE.sub(
                lambda m: f"{m.group(1)}{int(m.group(2)) + 1}.{m.group(3)}{m.group(4)}", line
            )
        if body and (match := _CLAUSE.match(line)):
            clause_id = f"{match.group(2)}.{match.group(3)}"
            if clause_id in REWORDED:
                line = f"{match.group(1)}{clause_id} {REWORDED[clause_id]}"
        out.append(line)
    return "\n".join(out) + "\n"


def corpus_dir(directory: Path, *, revised: bool, questions: bool) -> Path:
    """A corpus directory holding the Wootton policy (revised or not), with or without its
    labelled questions."""
    directory.mkdir(parents=True, exist_ok=True)
    text = (CORPUS / f"{STEM}.txt").read_text(encoding="utf-8")
    (directory / f"{STEM}.txt").write_text(revise_wootton(text) if revised else text)
    shutil.copy(CORPUS / f"{STEM}.toml", directory / f"{STEM}.toml")
    labelled = directory / f"{STEM}.questions.jsonl"
    if questions:
        shutil.copy(CORPUS / f"{STEM}.questions.jsonl", labelled)
    else:
        labelled.unlink(missing_ok=True)
    return directory


def build(corpus: Path, index_dir: Path, embedder: Embedder) -> PolicyAnswerer:
    """Build the index of ``corpus`` in ``index_dir`` and open an answerer over it."""
    loaded = load_corpus(corpus)
    training = load_training(corpus, list(loaded.documents))
    index = build_index(loaded, embedder, index_dir, progress=False, training=training)
    return PolicyAnswerer(index=index, embedder=embedder)


def moved(questions: Sequence[EvalQuestion]) -> list[EvalQuestion]:
    """The questions with their gold ids in the revision's numbering."""
    return [EvalQuestion(q=q.q, gold=tuple(new_id(g) for g in q.gold)) for q in questions]


def measure(
    work: Path,
    embedder: Embedder,
    question_sets: dict[str, list[EvalQuestion]],
    *,
    afresh: bool = True,
) -> dict[str, dict[str, EvalResult]]:
    """Figures per system per question set (see the module docstring; ``afresh=False``
    leaves out the last system)."""
    kept = work / "index"
    systems: dict[str, PolicyAnswerer] = {}
    systems["before the revision"] = build(
        corpus_dir(work / "before", revised=False, questions=True), kept, embedder
    )
    revised_bare = corpus_dir(work / "zero", revised=True, questions=False)
    systems["revised, zero-shot"] = build(revised_bare, work / "zero-index", embedder)
    revised = corpus_dir(work / "after", revised=True, questions=True)
    systems["revised, stale labels left out"] = build(revised, kept, embedder)
    if afresh:
        systems["revised, built afresh"] = build(revised, work / "fresh-index", embedder)
    results: dict[str, dict[str, EvalResult]] = {}
    for name, answerer in systems.items():
        results[name] = {}
        for set_name, questions in question_sets.items():
            gold = questions if name == "before the revision" else moved(questions)
            results[name][set_name] = evaluate(answerer, gold, name=name)
    return results


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=[ROOT / "tests/eval/holdout.jsonl"])
    args = parser.parse_args()
    from assistant.policy.embedder import MiniLMEmbedder

    embedder = MiniLMEmbedder(threads=2)
    sets = {path.stem: load_questions(path) for path in args.files}
    with tempfile.TemporaryDirectory() as work:
        results = measure(Path(work), embedder, sets)
    for set_name in sets:
        print(f"{set_name}:")
        for name, by_set in results.items():
            r = by_set[set_name]
            print(
                f"  {name:<32} hit@1 {r.hit1:.3f}  hit@3 {r.hit3:.3f}  as replied "
                f"{r.replied_hit1:.3f} / {r.replied_hit3:.3f}  out refused "
                f"{r.refused_out or 0:.0%}  in refused {r.refused_in or 0:.1%}"
            )


if __name__ == "__main__":
    main()
