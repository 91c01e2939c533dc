"""Sentence-aware chunks sized in the embedder's own tokens, each with its span in the article.

Ingestion embeds sentences, not chunks (a chunk's vector is the mean of its sentences' vectors,
``index/sentences.py``), so a sentence longer than the model's 256-token window is cut into pieces
that fit it, and every token reaches the dense index; a chunk packs whole sentences (or pieces) up
to ``chunk_tokens``, which may be larger than the window. Sentences come from
``index.nlp.sentence_spans`` (linear time, at most 1,500 characters each) and are packed greedily,
so chunking time and memory grow linearly with the article whatever it holds: llama-index's
SentenceSplitter ran its regexes over whole paragraphs and could take minutes and gigabytes on one
pathological "sentence".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sized

from index import nlp
from index.models import Article, Chunk

_WORD = re.compile(r"\S+")
Piece = tuple[int, int, int]  # start, end, tokens
CHARS_PER_TOKEN = 10  # bounds a chunk's characters too: one [UNK] token can stand for 100 characters


class Chunker:
    def __init__(self, count_tokens: Callable[[str], Sized], chunk_tokens: int, overlap: int, window: int) -> None:
        self.count = count_tokens
        self.size = chunk_tokens
        self.overlap = overlap
        self.max_chars = chunk_tokens * CHARS_PER_TOKEN
        self.window = min(window, chunk_tokens)  # a sentence is embedded whole when it fits this
        self.window_chars = self.window * CHARS_PER_TOKEN

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of each chunk: whole sentences up to ``size`` tokens, ~``overlap`` shared."""
        return [(start, end) for start, end, _ in self.layout(text)]

    def layout(self, text: str) -> list[tuple[int, int, list[Piece]]]:
        """Each chunk's (start, end) and the sentences (or pieces of long ones) it holds, with their tokens."""
        pieces = [p for s, e in nlp.sentence_spans_many([text])[0] for p in self._fit(text, s, e)]
        out: list[tuple[int, int, list[Piece]]] = []
        i = 0
        while i < len(pieces):
            j, total = i, 0
            while j < len(pieces) and (j == i or (total + pieces[j][2] <= self.size
                                                  and pieces[j][1] - pieces[i][0] <= self.max_chars)):
                total += pieces[j][2]
                j += 1
            out.append((pieces[i][0], pieces[j - 1][1], pieces[i:j]))
            if j == len(pieces):
                break
            k, shared = j, 0  # step back over whole sentences that fit the overlap, never to i
            while k - 1 > i and shared + pieces[k - 1][2] <= self.overlap:
                k -= 1
                shared += pieces[k][2]
            i = k
        return out

    def _fit(self, text: str, start: int, end: int) -> list[Piece]:
        """One sentence as pieces that fit the embedder's window: cut at spaces, or blindly if it has none."""
        n = len(self.count(text[start:end]))
        if n <= self.window and end - start <= self.window_chars:
            return [(start, end, n)]
        pieces: list[Piece] = []
        for m in _WORD.finditer(text, start, end):
            w = len(self.count(m.group()))
            if w > self.window:  # one "word" longer than the window: each piece of `window` chars fits it
                pieces += [(p, min(p + self.window, m.end()), self.window)
                           for p in range(m.start(), m.end(), self.window)]
            elif pieces and pieces[-1][2] + w <= self.window and m.end() - pieces[-1][0] <= self.window_chars:
                pieces[-1] = (pieces[-1][0], m.end(), pieces[-1][2] + w)
            else:
                pieces.append((m.start(), m.end(), w))
        return pieces

    def chunk(self, article: Article) -> list[Chunk]:
        chunks: list[Chunk] = []
        for i, (start, end, sentences) in enumerate(self.layout(article.text)):
            text = article.text[start:end]
            raw_start, raw_end = article.raw_span(start, end)
            chunks.append(
                Chunk(
                    id=f"{article.id}:{i}:{article.content_hash[:8]}",
                    article_id=article.id,
                    index=i,
                    text=text,
                    start=start,
                    end=end,
                    raw_start=raw_start,
                    raw_end=raw_end,
                    sentences=sentences,
                    metadata={
                        "article_id": article.id,
                        **article.metadata,
                        "chunk_index": i,
                        "start": start,
                        "end": end,
                        "raw_start": raw_start,
                        "raw_end": raw_end,
                    },
                )
            )
        return chunks
