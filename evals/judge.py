"""Optional LLM-as-judge: correctness and faithfulness from any OpenAI-compatible server.

Deterministic metrics stay the gate; the judge adds a second opinion when a capable model is at
hand. A reply the judge model garbles counts as no verdict (None), never as a pass.
"""

from __future__ import annotations

import re
from typing import Any

from backend.llm import LLM, LLMError
from backend.prompts import render


def _verdict(reply: str, key: str) -> bool | None:
    m = re.search(rf"{key}\s*:\s*(yes|no)\b", reply, re.I)
    return None if m is None else m.group(1).lower() == "yes"


def judge(llm: LLM, record: dict[str, Any], gold: dict[str, Any]) -> dict[str, bool | None]:
    if record.get("abstained") or not gold.get("answerable", True):
        return {"judge_correct": None, "judge_faithful": None}
    reference = "; ".join(" / ".join(fact) for fact in gold.get("answers", []))
    sources = "\n".join(f"[{c['n']}] {c['quote']}" for c in record.get("citations", []))
    prompt = render("judge", question=gold["question"], reference=reference, answer=record["answer"],
                    sources=sources or "(none)")
    try:
        reply = llm.complete([{"role": "user", "content": prompt}])
    except LLMError:
        return {"judge_correct": None, "judge_faithful": None}
    return {"judge_correct": _verdict(reply, "correct"), "judge_faithful": _verdict(reply, "faithful")}
