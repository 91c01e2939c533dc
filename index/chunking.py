"""Sentence-aware chunks sized in the embedder's own tokens, each with its span in the article.

Chunks are counted in the embedding model's word pieces, not in tiktoken tokens, so a chunk
always fits the model's 256-token window and every token of the article reaches the dense index.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sized

from llama_index.core.node_parser import SentenceSplitter

from index.models import Article, Chunk

_SENTENCE_END = re.compile(r"""([.!?]["')\]]*)\s+(?=["'(\[]?[A-Z0-9])|\n{2,}""")
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Gen|Lt|Col|Sgt|Rep|Sen|Gov|Prof|No|vs|U\.S|U\.N|U\.K|a\.m|p\.m|Inc|Corp|Ltd|Co)\.|"
    r"\b[A-Z]\.)$"
)


class Chunker:
    def __init__(self, count_tokens: Callable[[str], Sized], chunk_tokens: int, overlap: int) -> None:
        self.splitter = SentenceSplitter(
            chunk_size=chunk_tokens,
            chunk_overlap=overlap,
            tokenizer=count_tokens,
            paragraph_separator="\n\n",
        )
        self.count = count_tokens

    def chunk(self, article: Article) -> list[Chunk]:
        texts = self.splitter.split_text(article.text)
        chunks: list[Chunk] = []
        cursor = 0
        for i, text in enumerate(texts):
            start = _locate(article.text, text, cursor)
            end = start + len(text)
            cursor = start + 1
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
                    tokens=len(self.count(text)) + 2,
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


def _locate(text: str, chunk: str, cursor: int) -> int:
    """Where the splitter's chunk sits in the article (it returns substrings, stripped)."""
    pos = text.find(chunk, cursor)
    if pos < 0:
        pos = text.find(chunk)
    if pos < 0:
        raise ValueError(f"chunk not found in article text: {chunk[:60]!r}")
    return pos


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence boundaries as (start, end) spans; knows common news abbreviations (U.S., Mr.)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end(1) if m.group(1) else m.start()
        if m.group(1) and _ABBREVIATIONS.search(text[start:end]):
            continue
        if text[start:end].strip():
            spans.append((start, end))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return [(s + offset + _lead(text, s), e + offset) for s, e in spans if e > s]


def _lead(text: str, start: int) -> int:
    return len(text[start:]) - len(text[start:].lstrip())
