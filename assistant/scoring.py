"""Sentence-level relevance: the offline reranker and the extractive answerer share it.

A sentence's score mixes meaning (cosine between question and sentence embeddings) with
evidence (idf-weighted share of the question's terms, stance synonyms included, that the
sentence states) and a bonus for the kind of answer asked for (numbers for "how many").
Sentence vectors come from the index (ingestion stores them with each chunk), so answering
embeds only the question; passages indexed before that are split and embedded here, cached.
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from assistant.retrieve import recency
from assistant.text import QuestionInfo, content_terms, looks_like_injection, words_stating
from assistant.types import Passage
from index.claims import Claim
from index.embedder import Embedder
from index.lexicon import STANCE_GROUPS
from index.nlp import sentence_spans
from index.sentences import SentenceVectors

StoredVectors = Callable[[list[str]], dict[str, SentenceVectors]]
STANCE_TERMS = frozenset(STANCE_GROUPS)  # question stems that ask about a stance ("who denied ...?")
CLAIM_BOOST = 0.1
# Meaning against stated words. Chosen on RealTime QA's first 200 questions (strict accuracy 0.40 / 0.60:
# 0.440, 0.55 / 0.45: 0.450, 0.70 / 0.30: 0.465, 0.85 / 0.15: 0.450 with more wrong abstentions) and
# checked on its last 200 (0.270 -> 0.290) and the sample set (0.823 -> 0.839).
DENSE_WEIGHT = 0.7
LEXICAL_WEIGHT = 0.3
RETRIEVAL_WEIGHT = 0.1  # a sentence inherits a little of its passage's retrieval score (title, date)
SENTENCE_WEIGHT = 0.5  # a passage ranks by its retrieval score (over the best one's) + this x its best sentence's
# What a sentence from an article of the as-of day gains, decaying with the article's age as in
# retrieval: this week's sentence leads rather than last year's that reads the same. Chosen on RealTime
# QA's first 200 questions (0.1: strict +4.0 points, 0.15: +4.5, 0.2: +5.0, 0.3: +3.5), checked on the
# last 200 (0.15: +2.5).
RECENCY_WEIGHT = 0.15


@dataclass
class ScoredSentence:
    passage: Passage
    start: int  # span in the article's clean text
    end: int
    text: str
    dense: float = 0.0
    lexical: float = 0.0
    score: float = 0.0
    recency: float = 0.0  # how close its article is to the as-of day, 0-1 (retrieve.recency)
    vector: np.ndarray | None = None
    speaker: str = ""  # who the who-said-what store says is speaking, when it knows
    claim_end: int = 0  # where that speaker's statement ends (it may run into the next sentence)
    claim: Claim | None = None  # that statement

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.passage.article_id, self.start, self.end)


def names_in(names: tuple[str, ...], text: str, typos: bool = False) -> float:
    """Share of the question's names (people, places, numbers) that ``text`` mentions.

    A name of several words counts when each of its words (of three letters or more) is there,
    so "Vice Foreign Minister Kim Hong Kyun" matches "Vice South Korean Foreign Minister Kim Hong Kyun";
    with ``typos``, also a word spelt one letter otherwise (``misspelt``).
    """
    if not names:
        return 1.0
    hay = _fold(text)
    words: set[str] = set()  # the text's words, made when a name is not there as written

    def present(name: str) -> bool:
        folded, parts = _name_forms(name)
        if folded in hay:
            return True
        parts = parts or ((folded,) if typos and " " not in folded else ())
        if parts and not words:
            words.update(hay.split())
        return bool(parts) and all(p in words or (typos and misspelt(p, words)) for p in parts)

    return sum(1 for n in names if present(n)) / len(names)


def misspelt(word: str, words: Collection[str]) -> bool:
    """One of ``words`` is ``word`` with one letter added, dropped, changed or two swapped, the first letter
    kept ("Boheim" for "Boeheim"): a name the asker misspelt is still the one the articles name. Words of
    5+ letters only (a figure is never misspelt: 12,000 is not 10,000)."""
    if len(word) < 5 or not word.isalpha():
        return False
    return any(abs(len(w) - len(word)) <= 1 and w[0] == word[0] and one_edit(word, w) for w in words)


def one_edit(a: str, b: str) -> bool:
    """At most one letter added, dropped, changed, or two neighbours swapped, between ``a`` and ``b``."""
    if len(a) > len(b):
        a, b = b, a
    i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    if len(a) < len(b):
        return a[i:] == b[i + 1:]
    return a[i + 1:] == b[i + 1:] or (a[i + 2:] == b[i + 2:] and a[i : i + 2] == b[i : i + 2][::-1])


@lru_cache(maxsize=4096)
def _name_forms(name: str) -> tuple[str, tuple[str, ...]]:
    """A name folded, and for a name of several words the words that must each be there.

    "U.S. House" is there when "House" is: short words ("U.S.", "of") are too often spelled otherwise;
    "Formula 1 ace" when "Formula" is: a word in lower case describes the name, it is not part of it."""
    folded = _fold(name)
    if len(folded.split()) < 2:
        return folded, ()
    return folded, tuple(p for w in name.split() if not w.islower() for p in _fold(w).split() if len(p) >= 3)


_DIGIT_COMMA = re.compile(r"(\d),(?=\d)")


def _fold(text: str) -> str:
    text = text.lower()
    if "," in text:
        text = _DIGIT_COMMA.sub(r"\1", text)
    # "Leaders\u2019 Summit" = "Leaders' Summit". Folding all of a question's passages (~120,000 characters)
    # took 6 ms with str.translate and a look-behind; chained replace and this pattern take 2.5
    text = text.replace("'s", "").replace("\u2019s", "").replace(".", "").replace("-", " ").replace("'", "")
    return " ".join(text.replace("\u2019", "").split())


class SentenceScorer:
    def __init__(self, embedder: Embedder, stored: StoredVectors | None = None, cache_size: int = 20_000) -> None:
        self.embedder = embedder
        self.stored = stored  # the sentence vectors ingestion stored with each chunk, looked up by chunk id
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()  # the UI answers several chats at once

    def vectors(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        with self._lock:
            return self._vectors(texts)

    def _vectors(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        for t, v in zip(missing, self.embedder.embed(missing), strict=True):
            self._cache[t] = v
        for t in texts:
            self._cache.move_to_end(t)
        out = np.stack([self._cache[t] for t in texts])
        while len(self._cache) > self._cache_size:  # only after ``out`` holds what this call needs
            self._cache.popitem(last=False)
        return out

    def sentences(self, passages: list[Passage]) -> list[ScoredSentence]:
        """Every sentence of the passages once (overlapping chunks share sentences), with its stored
        vector when ingestion stored one."""
        known = self.stored([p.chunk_id for p in passages]) if self.stored else {}
        seen: set[tuple[str, int, int]] = set()
        out: list[ScoredSentence] = []
        for p in passages:
            sv = known.get(p.chunk_id)
            if sv is not None and not all(p.start <= a < b <= p.end for a, b in sv.spans):
                sv = None  # not this passage's sentences (a stale record): split and embed afresh
            spans = [(a - p.start, b - p.start) for a, b in sv.spans] if sv else sentence_spans(p.text)
            suspect = looks_like_injection(p.text)  # one search a passage; its sentences only if it matches
            for i, (s, e) in enumerate(spans):
                text = p.text[s:e]
                item = ScoredSentence(passage=p, start=p.start + s, end=p.start + e, text=text,
                                      vector=sv.vectors[i] if sv else None)
                if item.key in seen or len(text) < 20 or (suspect and looks_like_injection(text)):
                    continue
                seen.add(item.key)
                out.append(item)
        return out

    def score(self, q: QuestionInfo, passages: list[Passage], claims: Sequence[Claim] = (), now: int = 0
              ) -> list[ScoredSentence]:
        """Score every sentence; sentences that carry a claim relevant to the question get a boost."""
        sents = self.sentences(passages)
        by_article: dict[str, list[Claim]] = {}
        for c in claims:
            by_article.setdefault(c.article_id, []).append(c)
        if not sents:
            return []
        qv = self.embedder.embed_query(q.asked or q.text)  # "X happened this week. Which Y ...?": the sentence
        # that asks (most often the whole question, which the retriever embedded: the vector is cached)
        fresh = [s for s in sents if s.vector is None]
        for s, v in zip(fresh, self.vectors([s.text for s in fresh]), strict=True):
            s.vector = v
        sv = np.stack([s.vector for s in sents if s.vector is not None])
        dense = sv @ qv
        term_sets = [frozenset(content_terms(s.text)) for s in sents]
        vocabulary = set().union(*term_sets)
        words = {t: words_stating(t, vocabulary) for t in set(q.terms)}
        stated = [{t for t, ws in words.items() if not ws.isdisjoint(ts)} for ts in term_sets]
        n = len(sents)
        idf = {t: math.log(1 + n / (0.5 + sum(1 for st in stated if t in st))) for t in words}
        total = sum(idf[t] for t in q.terms) or 1.0
        top = max((p.score for p in passages), default=0.0) or 1.0
        stances = [t for t in q.terms if t in STANCE_TERMS]
        for s, d, st, v in zip(sents, dense, stated, sv, strict=True):
            s.vector = v
            s.dense = float(d)
            s.lexical = sum(idf[t] for t in q.terms if t in st) / total
            bonus = 0.0
            if q.wants_number:
                bonus += 0.12 if re.search(r"\d", s.text) else -0.05
            if any(t in st for t in stances):
                bonus += 0.08  # "who denied X?" is answered by sentences that deny (or dismiss) X
            if q.wants_quote and '"' in s.text:
                bonus += 0.08
            if q.names:
                bonus += 0.1 * names_in(q.names, s.text)
            claim = next((c for c in by_article.get(s.passage.article_id, ()) if c.start <= s.start < c.end), None)
            if claim is not None:
                bonus += CLAIM_BOOST
                s.speaker, s.claim_end, s.claim = claim.speaker_key, claim.end, claim
            bonus += RETRIEVAL_WEIGHT * max(s.passage.score, 0.0) / top
            s.recency = recency(s.passage.published, now) if now else 0.0
            bonus += RECENCY_WEIGHT * s.recency
            s.score = DENSE_WEIGHT * s.dense + LEXICAL_WEIGHT * s.lexical + bonus
        return sorted(sents, key=lambda s: -s.score)

    def rerank(self, q: QuestionInfo, passages: list[Passage], claims: Sequence[Claim] = (), now: int = 0
               ) -> tuple[list[Passage], list[ScoredSentence]]:
        """Order passages by retrieval score and best sentence together; also return the scored sentences.

        The retrieval score keeps what the sentence scores cannot see (the article's title, its
        date): ranked by their best sentence alone, passages lost 8 points of hit@1 on RealTime QA.
        """
        scored = self.score(q, passages, claims, now)
        best: dict[str, float] = {}
        for s in scored:
            best.setdefault(s.passage.chunk_id, s.score)
        top = max((p.score for p in passages), default=0.0) or 1.0
        for p in passages:
            p.score = p.score / top + SENTENCE_WEIGHT * best.get(p.chunk_id, 0.0)
        order = sorted(range(len(passages)), key=lambda i: (-passages[i].score, i))
        return [passages[i] for i in order], scored
