"""Which sentence leads the answer: a linear model over a few features of the top sentences.

The sentence score ranks passages and decides abstention; which of the top sentences states the fact
asked for depends on more than it weighs: how many other top sentences name the same answer (reports
repeat the fact of the week), how early in its article the sentence stands (news states the fact
first), how recent the article is, and how well a cross-encoder that reads the question and the
sentence together says the sentence answers it (``assistant/crossencoder.py``). Among the best ``DEPTH``
sentences (within a share of the best, where naming an entity of the asked-for kind counts for a little),
those that hold an entity of that kind tied to the question (all of them, if none does) are ranked by a
conditional logit over those features. Its weights are fitted by
``python -m evals fit-lead`` (``evals/fit_lead.py``) and shipped in ``lead_model.json``, with what they
were fitted on.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from spacy.tokens import Span

from assistant.crossencoder import get_cross_encoder
from assistant.question import NAMING
from assistant.scoring import ScoredSentence
from assistant.shape import answer_entities, fits_kind, in_question, name_words, named_docs, reported
from assistant.text import QuestionInfo, mentions, stem

DEPTH = 20  # sentences the lead is chosen among...
WINDOW = 0.8  # ... if they score within this share of the best (0.7: -1 point on the first 200; 0.9: -4; with the
# cross-encoder feature, 0.7 and 0.75 picked better on RealTime QA but cost the sample set 8 and 1.6 points)
# A sentence that holds an entity of the asked-for kind counts this much more against the window: the best
# sentence is often the one that restates the question ("South Korea ... summoned the Russian ambassador")
# and it kept the one that names the answer out of the window. Strict accuracy on RealTime QA's first 200
# (chosen on) / 201-413 / last 200, answers withheld under the chance threshold of the time (0.06): 0: 0.565
# / 0.465 / 0.405, 0.05: 0.570 / 0.460 / 0.415, 0.1: 0.575 / 0.460 / 0.420, 0.15: 0.565 / 0.460 / 0.420,
# 0.2: 0.565 / 0.460 / 0.425. More answers came with it, to unanswerable questions too: the threshold was
# raised to keep those abstentions (``chance.ABSTAIN_CHANCE``).
TYPED_BONUS = 0.1
MODEL = Path(__file__).resolve().parent / "lead_model.json"
FEATURES = ("score", "dense", "lexical", "recency", "support", "position", "cross")
# "support": a name asked for ("which state", "who") is the one the top sentences name most often: news
# reports repeat the fact of the week. Each of the best VOTE_DEPTH sentences (within VOTE_FLOOR of the
# best) votes its score for each name in it; a candidate's support is its name's share of the votes.
# Names only: dates and numbers are written in too many forms to pool their votes.
VOTED = frozenset({"person", "place", "name", "named"})
VOTE_DEPTH = 20
VOTE_FLOOR = 0.5


@dataclass
class Candidate:
    """A sentence that may lead, the answer entity it holds (if any) and its features, named as FEATURES."""

    sentence: ScoredSentence
    entity: Span | None
    features: dict[str, float]


@dataclass(frozen=True)
class LeadModel:
    weights: tuple[float, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]

    def score(self, c: Candidate) -> float:
        return self.score_row([c.features[f] for f in FEATURES])

    def score_row(self, x: Sequence[float]) -> float:
        """``x``: one value per FEATURES name, in that order."""
        return sum(w * (v - m) / s for w, v, m, s in zip(self.weights, x, self.mean, self.scale, strict=True))

    def to_json(self) -> dict[str, list[float]]:
        return {k: [round(v, 5) for v in vs] for k, vs in
                (("weights", self.weights), ("mean", self.mean), ("scale", self.scale))}


@cache
def load(path: Path = MODEL) -> LeadModel:
    data = json.loads(path.read_text("utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{path} was fitted on features {data['features']}, this code computes {list(FEATURES)}: "
                         "refit it with `python -m evals fit-lead`")
    return LeadModel(tuple(data["weights"]), tuple(data["mean"]), tuple(data["scale"]))


def candidates(q: QuestionInfo, pool: Sequence[ScoredSentence], scored: Sequence[ScoredSentence]) -> list[Candidate]:
    """The sentences of ``pool`` (the top sentences that can stand alone) that hold an entity of the
    asked-for kind tied to the question, or all of them when none does, with their features;
    ``scored`` are all sentences, best first, for the vote on names."""
    if not pool:
        return []
    # only the sentences that could make the window with the bonus are parsed for an entity
    deep = [s for s in pool[:DEPTH] if s.score + TYPED_BONUS >= WINDOW * pool[0].score]
    found = answer_entities(q, deep, q.labels)
    lifted = [s.score + TYPED_BONUS * (e is not None) for s, e in zip(deep, found, strict=True)]
    keep = [i for i, v in enumerate(lifted) if v >= WINDOW * max(lifted)]
    pool, entities = [deep[i] for i in keep], [found[i] for i in keep]
    typed: list[tuple[ScoredSentence, Span | None]] = [
        (s, e) for s, e in zip(pool, entities, strict=True) if e is not None]
    if q.answer_type == "person":  # "who ...?": a person before a body or a country
        typed = [(s, e) for s, e in typed if e is not None and e.label_ == "PERSON"] or typed
    if q.asks_name:  # "what is it called?": a sentence that gives something a name before one that names it
        typed = [(s, e) for s, e in typed if e is not None and e.label_ == NAMING] or typed
    votes: dict[str, float] = {}
    answers = {" ".join(name_words(e)) for _, e in typed if e is not None}
    if len(answers) > 1 and q.answer_type in VOTED and scored:  # (one answer named by all: the same support
        # for each candidate, so the vote could not change the choice)
        votes = entity_votes(q, [s for s in scored[:VOTE_DEPTH] if s.score >= VOTE_FLOOR * scored[0].score])
    if q.kind:  # "which city ...?": a city before a country (after the vote, whose shares the chance of
        # being right was fitted on: a lone city would get no support at all)
        typed = [(s, e) for s, e in typed if e is not None and fits_kind(q, e)] or typed
    if not typed and q.subject:  # "What did Justin Nelson say ...?": what Nelson says (or a sentence naming him)
        pool = [s for s in pool if _by_subject(q, s)] or pool
    chosen = typed or [(s, None) for s in pool]
    cross = get_cross_encoder().score(q.text, [s.text for s, _ in chosen])  # 4-8 ms a sentence
    return [Candidate(s, e, {
        "score": s.score, "dense": s.dense, "lexical": s.lexical, "recency": s.recency,
        "support": support(" ".join(name_words(e)), votes) if e is not None and votes else 0.0,
        "position": math.log1p(s.start),  # news states the fact early
        "cross": float(x),
    }) for (s, e), x in zip(chosen, cross, strict=True)]


def _by_subject(q: QuestionInfo, s: ScoredSentence) -> bool:
    """The sentence is said by, or names, whom the question's subject names: the last word of each name in
    the subject ("Nelson" of "Dominion attorney Justin Nelson") is in the sentence or its speaker's words."""
    named = [stem(n.split()[-1].lower()) for n in q.names if n in q.subject]
    who = " ".join([s.text, *([s.claim.speaker, s.claim.organisation, *s.claim.mentions] if s.claim else [])])
    return bool(named) and all(mentions(who, n) for n in named)


def best(cands: Sequence[Candidate], model: LeadModel | None = None) -> Candidate:
    model = model or load()
    return max(cands, key=model.score)


def entity_votes(q: QuestionInfo, pool: list[ScoredSentence]) -> dict[str, float]:
    """Each candidate answer name, weighted by the scores of the sentences that name it."""
    votes: dict[str, float] = {}
    for s, doc in zip(pool, named_docs(pool), strict=True):
        keys = {" ".join(name_words(e)) for e in reported(doc) if e.label_ in q.labels and not in_question(e, q)
                and not (q.focus and mentions(e.text, q.focus))}
        for k in keys - {""}:
            votes[k] = votes.get(k, 0.0) + s.score
    return votes


def support(key: str, votes: dict[str, float]) -> float:
    """A name's share of all votes, with those of its shorter forms ("Kimmel" for "Jimmy Kimmel")."""
    words = set(key.split())
    return sum(v for k, v in votes.items() if set(k.split()) <= words) / (sum(votes.values()) or 1.0)
