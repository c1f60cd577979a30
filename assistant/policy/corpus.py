"""The policy corpus: every document in a directory, parsed into clauses."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import CorpusError
from assistant.policy.loaders import POLICY_SUFFIXES, read_document
from assistant.policy.model import Clause, Document
from assistant.policy.parser import PARSER_VERSION, parse_policy


@dataclass(frozen=True)
class Corpus:
    """The documents, their clauses in document order, and a fingerprint of the files."""

    documents: dict[str, Document]
    clauses: list[Clause]
    fingerprint: str
    _by_key: dict[tuple[str, str], Clause] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keys: dict[tuple[str, str], Clause] = {}
        for clause in self.clauses:  # a numbering slip repeats an id: the first one answers
            keys.setdefault((clause.document, clause.id), clause)
        object.__setattr__(self, "_by_key", keys)

    def clause(self, doc_id: str, clause_id: str) -> Clause | None:
        """The clause with this id in this document, or None."""
        return self._by_key.get((doc_id, clause_id))

    def by_id(self, clause_id: str) -> list[Clause]:
        """Every clause with this id, one per document that has it."""
        return [clause for clause in self.clauses if clause.id == clause_id]


def policy_files(directory: Path) -> list[Path]:
    """The policy documents in a directory (not README files, not their .toml), by name."""
    if not directory.is_dir():
        raise CorpusError(f"The policy directory {directory} does not exist.")
    files = sorted(
        path
        for path in directory.iterdir()
        if path.is_file()
        and path.suffix.lower() in POLICY_SUFFIXES
        and not path.name.startswith(".")
        and not path.stem.lower().startswith("readme")
    )
    seen: dict[str, Path] = {}
    for path in files:
        if path.stem in seen:
            raise CorpusError(
                f"The policy directory {directory} has {seen[path.stem].name} and {path.name}: "
                "keep one file per policy."
            )
        seen[path.stem] = path
    return files


def fingerprint(files: list[Path]) -> str:
    """sha256 over the names and bytes of the policy files and the .toml beside each.

    The parser's version is in it too: clauses parsed by an older parser are rebuilt.
    """
    digest = hashlib.sha256(f"parser {PARSER_VERSION}\0".encode())
    for path in files:
        for part in (path, path.with_suffix(".toml")):
            if part.is_file():
                data = part.read_bytes()
                digest.update(f"{part.name}\0{len(data)}\0".encode())
                digest.update(data)
    return digest.hexdigest()


def load_corpus(directory: Path) -> Corpus:
    """Read and parse every policy document in ``directory``."""
    files = policy_files(directory)
    if not files:
        raise CorpusError(
            f"The policy directory {directory} has no policy documents "
            f"({', '.join(POLICY_SUFFIXES)})."
        )
    documents: dict[str, Document] = {}
    clauses: list[Clause] = []
    for path in files:
        document, text = read_document(path)
        parsed = parse_policy(text, doc_id=document.doc_id)
        if not parsed:
            raise CorpusError(
                f"The policy file {path} has no numbered clauses the parser can find."
            )
        ids = {clause.id for clause in parsed}
        if document.contact_clause and document.contact_clause not in ids:
            raise CorpusError(
                f"The metadata for {path.name} names contact_clause "
                f"{document.contact_clause!r}, which the document does not have."
            )
        documents[document.doc_id] = document
        clauses.extend(parsed)
    return Corpus(documents=documents, clauses=clauses, fingerprint=fingerprint(files))
