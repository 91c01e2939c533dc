"""What the assistant hands out: passages it retrieved, citations, answers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from index.dates import DateError, parse_date


@dataclass
class Passage:
    """A retrieved chunk; ``start``/``end`` locate ``text`` in the article's clean text."""

    chunk_id: str
    article_id: str
    title: str
    source: str
    published: str
    url: str
    text: str
    start: int
    end: int
    score: float = 0.0

    @classmethod
    def from_metadata(cls, chunk_id: str, text: str, meta: dict[str, Any], score: float = 0.0) -> Passage:
        return cls(
            chunk_id=chunk_id,
            article_id=str(meta.get("article_id", "")),
            title=str(meta.get("title", "")),
            source=str(meta.get("source", "")),
            published=str(meta.get("published", "")),
            url=str(meta.get("url", "")),
            text=text,
            start=int(meta.get("start", 0)),
            end=int(meta.get("end", 0)),
            score=score,
        )

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "chunk_id"}


@dataclass
class Citation:
    """Marker ``[n]`` in an answer -> the exact quoted words and where they are in the article."""

    n: int
    article_id: str
    title: str
    source: str
    published: str
    quote: str
    start: int  # span of ``quote`` in the article's clean text
    end: int
    passage: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Answer:
    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    latency_ms: float = 0.0
    closest: list[Passage] = field(default_factory=list)  # shown when the answer abstains
    flagged: list[str] = field(default_factory=list)  # sentences dropped as unsupported
    standalone_question: str = ""
    backend: str = "extractive"
    passages: list[Passage] = field(default_factory=list)  # what retrieval handed the answerer (for evals)
    confidence: float = 0.0  # 0-1: how closely the best passage sentence answers the question
    lead_score: float | None = None  # the lead model's score of the extractive lead (0 for a list; None: no lead)
    withheld: str = ""  # the extractive answer withheld (unlikely to be right, or of the wrong kind), if any

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [c.to_json() for c in self.citations],
            "latency_ms": round(self.latency_ms, 1),
            "closest": [p.to_json() for p in self.closest],
            "flagged": self.flagged,
            "backend": self.backend,
            "confidence": self.confidence,
            "lead_score": None if self.lead_score is None else round(self.lead_score, 4),
            "withheld": self.withheld,
        }


class QuestionError(ValueError):
    """The question cannot be answered as given; the message says why, for the user."""


class NothingToSearchError(QuestionError):
    """The index is empty, or the filters match no article: no answer can be looked for."""


@dataclass
class Filters:
    """Optional limits on what is retrieved.

    Dates are read like articles' dates ("2024-10-21", "October 21, 2024", "2024-10", "2024") and
    stored as days: ``date_from`` is the first day of what was written, ``date_to`` the last
    (``--until 2024-10`` means up to 2024-10-31). A date that cannot be read is a ``QuestionError``.
    """

    sources: list[str] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)
    date_from: str = ""  # YYYY-MM-DD, inclusive
    date_to: str = ""  # YYYY-MM-DD, inclusive

    def __post_init__(self) -> None:
        try:
            since = parse_date(self.date_from) if self.date_from.strip() else None
            until = parse_date(self.date_to) if self.date_to.strip() else None
        except DateError as exc:
            raise QuestionError(str(exc)) from exc
        if since and until and since.start > until.end:
            raise QuestionError(f"The start date {self.date_from.strip()!r} is after the end date "
                                f"{self.date_to.strip()!r}.")
        self.date_from = since.start.isoformat() if since else ""
        self.date_to = until.end.isoformat() if until else ""

    def empty(self) -> bool:
        return not (self.sources or self.article_ids or self.date_from or self.date_to)

    def describe(self) -> str:
        """The filters in words, for messages."""
        parts = [f"publisher {' or '.join(self.sources)}" if self.sources else "",
                 f"article {' or '.join(self.article_ids)}" if self.article_ids else "",
                 f"published on or after {self.date_from}" if self.date_from else "",
                 f"published on or before {self.date_to}" if self.date_to else ""]
        return ", ".join(p for p in parts if p)
