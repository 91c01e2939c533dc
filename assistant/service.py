"""The assistant: question (+ chat history) -> retrieved passages -> cited, verified answer.

One object holds the models and indexes so the CLI, UI and evals share the same code path:
``Assistant().ask(question)`` or, for streaming, ``Assistant().stream(question)``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass

from assistant import chat, extractive
from assistant.citations import resolve
from assistant.claims import ClaimBook
from assistant.question import analyze
from assistant.retrieve import HybridRetriever
from assistant.scoring import ScoredSentence, SentenceScorer, names_in
from assistant.text import QuestionInfo, looks_like_injection, validate_question
from assistant.types import Answer, Filters, NothingToSearchError, Passage, QuestionError
from backend.llm import LLMError, LLMTimeout, OpenAICompatibleLLM
from backend.prompts import render
from index.claims import Claim
from index.dates import DateError, parse_date
from index.embedder import Embedder
from index.nlp import sentence_spans
from index.reader import HoldsEmbedder, open_index
from index.store import IndexStore
from settings import Settings, get_settings

ABSTAIN_TEXT = "The articles don't say. The closest passages are listed below."
NOT_IN_SOURCES = "NOT IN SOURCES"
MAX_CLAIMS = 24  # relevant claims whose passages join the candidates


@dataclass
class Evidence:
    question: str  # as the user typed it (validated)
    standalone: str  # ... rewritten to stand alone after the chat history
    info: QuestionInfo  # ... analysed
    passages: list[Passage]  # the top_k passages, best first
    scored: list[ScoredSentence]  # every sentence of the rescored candidates, best first
    searched: list[Passage]  # every passage retrieval found (what the question's names are looked up in)
    now: int = 0  # the day it is asked as of (a day number; 0: none), which articles are ranked closer to


class Assistant:
    def __init__(self, settings: Settings | None = None, embedder: Embedder | HoldsEmbedder | None = None) -> None:
        self.settings = settings or get_settings()
        self.store: IndexStore
        self.store, self.embedder = open_index(self.settings, embedder)
        self._synced = self.store.stamp(fresh=True)  # the index generation BM25 and claims were read at
        self._lock = threading.Lock()
        self.retriever = HybridRetriever(self.settings, self.store, self.embedder)
        self.scorer = SentenceScorer(self.embedder, self.store.sentence_vectors)
        self.claims = ClaimBook(self.store)
        self.llm = OpenAICompatibleLLM(self.settings) if self.settings.backend == "openai" else None

    @property
    def backend(self) -> str:
        if self.llm is None:
            return "extractive"
        return f"openai-compatible {self.settings.openai_model} at {self.settings.openai_base_url}"

    def refresh(self) -> None:
        """Call after the index changed underneath (uploads, deletes); nothing to do if its stamp did not move."""
        with self._lock:
            stamp = self.store.stamp(fresh=True)
            if stamp and stamp == self._synced:
                return
            self.retriever.refresh()
            self._synced = stamp

    def _sync(self) -> None:
        """Writes by any process, on any home sharing the Chroma server, reach BM25 before the next answer."""
        if self.store.stamp() != self._synced:
            self.refresh()

    def ask(self, question: str, history: Sequence[chat.Turn] = (), filters: Filters | None = None,
            as_of: str = "") -> Answer:
        final = None
        for event in self.stream(question, history, filters, as_of):
            if isinstance(event, Answer):
                final = event
        assert final is not None
        return final

    def stream(
        self, question: str, history: Sequence[chat.Turn] = (), filters: Filters | None = None, as_of: str = ""
    ) -> Iterator[str | Answer]:
        """Yield the answer text as it grows, then the final, verified ``Answer``.

        ``as_of`` is the day the question is asked on (any date form; default: none given).
        Raises ``QuestionError`` for input that is not a question or an unreadable date.
        """
        started = time.perf_counter()
        ev = self.evidence(question, history, filters, as_of)
        q, passages = ev.info, ev.passages
        draft = extractive.answer(q, ev.scored, ev.searched, ev.now)
        text = draft.text
        result = Answer(question=ev.question, answer=text, abstained=not text, citations=draft.citations,
                        standalone_question=ev.standalone, backend="extractive", confidence=draft.confidence,
                        lead_score=draft.lead_score, withheld=draft.withheld)
        if self.llm is not None and passages:  # also when the extractive answerer abstained
            result = yield from self._generate(result, q, passages)
        elif text:
            yield text
        if result.abstained:
            result.answer = ABSTAIN_TEXT
            result.citations = []
            result.closest = passages[:3]
            yield result.answer
        result.passages = passages
        result.latency_ms = (time.perf_counter() - started) * 1000
        yield result

    def evidence(self, question: str, history: Sequence[chat.Turn] = (), filters: Filters | None = None,
                 as_of: str = "") -> Evidence:
        """What an answer is drawn from: the question as understood, the passages, their scored sentences."""
        question = validate_question(question, self.settings.max_question_chars)
        self._sync()
        standalone = self._condense(question, history)
        q = analyze(standalone)
        now = self.as_of_day(as_of, q)
        fused = self.retriever.retrieve(standalone, filters, now=now)
        if not fused:
            self._nothing_to_search(filters)
        found_in = {p.article_id for p in fused}
        claims = self.claims.relevant(q, filters, found_in)[:MAX_CLAIMS]
        # Sentence-level scoring embeds every sentence it sees: keep it to the best fused passages
        # (and those holding relevant claims), so latency does not grow with the corpus.
        candidates = fused[: self.settings.rerank_depth]
        candidates += self._claim_passages(claims, candidates)
        ranked, scored = self.scorer.rerank(q, candidates, claims, now) if self.settings.rerank else (candidates, [])
        if not self.settings.rerank:
            scored = self.scorer.score(q, candidates, claims, now)
        return Evidence(question, standalone, q, ranked[: self.settings.top_k], scored, fused + candidates, now)

    def as_of_day(self, as_of: str, q: QuestionInfo) -> int:
        """The day articles are ranked closer to, as a day number (0: none).

        A date given with the question anchors it; without one, a question that says "this week",
        "latest", "so far"... is read as of the newest article in the index.
        """
        if as_of.strip():
            try:
                return parse_date(as_of).end.toordinal()
            except DateError as exc:
                raise QuestionError(str(exc)) from exc
        return self.retriever.newest if q.timely else 0

    def _nothing_to_search(self, filters: Filters | None) -> None:
        """Retrieval found no passage at all: say whether the index is empty or the filters exclude everything."""
        if self.store.chunk_count() == 0:
            raise NothingToSearchError("The index is empty: run `python -m index build` (or upload articles in the "
                                       "Library tab) first.")
        if filters is not None and not filters.empty():
            raise NothingToSearchError(f"No article matches the filters ({filters.describe()}); widen or clear them.")

    def _claim_passages(self, claims: list[Claim], have: list[Passage]) -> list[Passage]:
        """The chunks that hold relevant claims, when retrieval did not bring them (one store request)."""
        covered = {(p.article_id, p.start, p.end) for p in have}
        missing = [c for c in claims if not any(aid == c.article_id and s <= c.start < e for aid, s, e in covered)]
        extra: list[Passage] = []
        for found in self.store.chunks_at([(c.article_id, c.start, c.start + 1) for c in missing]):
            if found and found[0] not in {p.chunk_id for p in extra}:
                extra.append(Passage.from_metadata(*found))
        return extra

    def _condense(self, question: str, history: Sequence[chat.Turn]) -> str:
        if not history or not chat.needs_context(question):
            return question
        if self.llm is not None:
            try:
                rewritten = self.llm.complete(chat.condense_messages(question, history)).strip().splitlines()
                if rewritten and 3 < len(rewritten[0]) <= self.settings.max_question_chars:
                    return rewritten[0].strip()
            except LLMError:
                pass
        return chat.condense_rule(question, history)

    def _generate(
        self, fallback: Answer, q: QuestionInfo, passages: list[Passage]
    ) -> Generator[str, None, Answer]:
        """Ask the LLM with the passages; verify its answer; else the extractive result, with a note.

        The extractive result stands (an abstention stays one) when the LLM fails, runs past
        ``llm_timeout``, answers NOT IN SOURCES, writes nothing its cited passages support, or
        writes about none of the names the question asks about (a true sentence on another topic).
        """
        assert self.llm is not None
        question = q.text
        numbered = {i + 1: p for i, p in enumerate(passages)}
        buffer = ""
        try:
            for delta in self.llm.stream(answer_messages(question, numbered), self.settings.llm_timeout):
                buffer += delta
                if not NOT_IN_SOURCES.startswith(buffer.strip()[: len(NOT_IN_SOURCES)]):
                    yield buffer
        except LLMTimeout as exc:
            return (yield from _fallback(fallback, f"LLM timed out after {exc.seconds:g} s"))
        except LLMError as exc:
            return (yield from _fallback(fallback, f"LLM unavailable ({str(exc).rstrip('.')})"))
        if NOT_IN_SOURCES in buffer.upper() and len(buffer.strip()) < 40:
            return (yield from _fallback(fallback, "LLM found no answer in the passages"))
        text, citations, flagged = resolve(buffer, numbered)
        if not text:
            return (yield from _fallback(fallback, "LLM answer had no sentence its cited passages support", flagged))
        if not _about(q.names, " ".join([text, *(c.quote for c in citations)])):
            return (yield from _fallback(fallback, f"LLM answer is not about {', '.join(q.names)}", flagged))
        yield text
        return Answer(question=fallback.question, answer=text, abstained=False, citations=citations,
                      flagged=flagged, standalone_question=question, backend=self.backend,
                      confidence=fallback.confidence)  # how closely the passages it was given answer


def answer_messages(question: str, numbered: dict[int, Passage]) -> list[dict[str, str]]:
    """The chat messages for an answer: the rules (system), then the numbered passages and the question."""
    context = "\n\n".join(
        render("passage", n=n, title=p.title, source=p.source or "unknown source",
               published=p.published or "undated", text=_redact(p.text))
        for n, p in numbered.items()
    )
    return [
        {"role": "system", "content": render("system")},
        {"role": "user", "content": render("answer", passages=context, question=question)},
    ]


def _fallback(fallback: Answer, why: str, dropped: Sequence[str] = ()) -> Generator[str, None, Answer]:
    """Show the extractive result (an answer or an abstention) instead of the LLM's, saying why."""
    shown = "extractive answer shown" if fallback.answer else "no answer in the articles either"
    fallback.flagged.extend([*dropped, f"{why}; {shown}."])
    if fallback.answer:
        yield fallback.answer
    return fallback


def _about(names: Sequence[str], text: str) -> bool:
    """Does the text name at least one of the question's names (any word of three letters or more of one)?"""
    words = [w for name in names for w in name.split() if len(w) >= 3]
    return not words or any(names_in((w,), text) for w in words)


def _redact(text: str) -> str:
    """Passages go to the LLM as data; sentences that try to instruct it are blanked out."""
    out = text
    for s, e in reversed(sentence_spans(text)):
        if looks_like_injection(text[s:e]):
            out = out[:s] + "[instruction-like text removed]" + out[e:]
    return out
