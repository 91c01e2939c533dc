"""Whether an extractive answer is likely enough to be right to be given.

The confidence an answer shows says how closely its best sentence answers the question; the lead
model's score of the sentence it chose (``assistant/leadrank.py``) says how clearly that sentence beat
the others. A logistic over both, fitted by ``python -m evals fit-chance`` (``evals/fit_chance.py``) on
eval results and shipped in ``chance_model.json`` with what it was fitted on, rates an answer's chance
of being right (strict-right: the fact in its lead). Refit it whenever ``lead_model.json`` is refitted:
the lead scores it reads change with that model.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

MODEL = Path(__file__).resolve().parent / "chance_model.json"
# Below this chance the answer is withheld (the closest passages are still listed): such a lead is most
# often from articles that do not hold the answer. Chosen on RealTime QA's first 200: the smallest value
# that abstains on their unanswerable questions as often as the rule before (a confidence under 0.15
# until the fourteenth session; this file's fit under 0.06 until the seventeenth, when the lead's window
# let in sentences naming the asked-for kind, ``leadrank.TYPED_BONUS``). With that window, end to end on the
# sixteenth session's split indexes (first 200 / 201-413 / 414-613): wrong abstentions 0.065 / 0.117 /
# 0.115, of which withheld right answers 0 / 0.014 / 0; each split's questions asked of the articles of
# each other split (`--ask-of`, 23-41 questions the articles do not answer) abstained on 0.778 / 0.565,
# 0.737 / 0.756 and 0.579 / 0.611 (with 0.06: 0.741 / 0.522, 0.684 / 0.512, 0.526 / 0.417). When natural
# kinds ("which animal?") stopped asking for an entity (eighteenth session), three such questions in the
# pairings were answered (134 of 203 abstained); the rule would then take 0.085, which withholds two right
# answers on the first 200: kept at 0.08. `evals fit-chance` prints the trade for other thresholds.
ABSTAIN_CHANCE = 0.08
LIST_LEAD_SCORE = 0.0  # a list of speakers or figures has no one chosen sentence: the lead model's average


@dataclass(frozen=True)
class ChanceModel:
    intercept: float
    by_confidence: float
    by_lead_score: float

    def chance(self, confidence: float, lead_score: float) -> float:
        """The chance that an answer showing ``confidence``, whose lead the lead model scored
        ``lead_score``, is right."""
        return 1 / (1 + math.exp(-(self.intercept + self.by_confidence * confidence
                                   + self.by_lead_score * lead_score)))

    def to_json(self) -> dict[str, float]:
        return {"intercept": round(self.intercept, 4), "by_confidence": round(self.by_confidence, 4),
                "by_lead_score": round(self.by_lead_score, 4)}


@cache
def load(path: Path = MODEL) -> ChanceModel:
    data = json.loads(path.read_text("utf-8"))
    return ChanceModel(float(data["intercept"]), float(data["by_confidence"]), float(data["by_lead_score"]))
