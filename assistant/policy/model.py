"""The policy as data: documents and their clauses."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Document:
    """One policy document and its metadata (from the ``.toml`` beside it)."""

    doc_id: str  # the file's stem, e.g. "wootton-social-media-policy"
    title: str  # e.g. "Wootton Academy Trust Social Media Policy"
    source: str  # the file name
    owner: str = ""
    adopted: str = ""
    reviewed: str = ""
    contact: str = "the Principal"  # who to ask when the policy does not cover a question
    contact_clause: str = ""  # the clause that says so, e.g. "4.3"


@dataclass(frozen=True)
class Clause:
    """One clause, quoted verbatim.

    ``id`` is canonical and unique within its document: ``6.3``, ``5.1(d)``, ``10.2(a)(ii)``,
    ``A.5.7``, ``9``, ``2(e)``, ``Part 4 G(iii)``, ``Appendix 2 4``. ``label`` is the id as the
    document prints it, which people cite and labelled questions name: the same as ``id``
    except for a passage of a long section (``id`` ``Appendix 2 ¶3``, ``label`` ``Appendix 2``)
    and a number the document prints twice (the second ``9.6`` has ``id`` ``9.6 [2]``).
    ``text`` is the clause's own words exactly as the document has them, with export
    artefacts removed (bold markers, stray page numbers, a clause split by a page break
    joined again, whitespace folded). ``lead_in`` is, for a sub-clause, its parent's
    verbatim lead-in ("employees are prohibited from using social media to:") so the
    quote reads whole; empty otherwise.
    """

    id: str
    document: str  # Document.doc_id
    section_number: str  # "6", "10", "A.5"
    section: str  # the section title as a reader would say it: "Personal use of social media"
    text: str
    lead_in: str = ""
    parent: str | None = None  # "5.1" for "5.1(d)"
    order: int = 0  # position in the document
    label: str = ""  # the id as printed; "" is read as ``id``

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", self.id)
