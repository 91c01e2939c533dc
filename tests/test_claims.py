"""Who said what: attributed statements and figures, from the sample articles and from business,
sports and science text written for these tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import settings as settings_module
from assistant.claims import ClaimBook
from assistant.service import Assistant
from index.attribution import extract
from index.claims import Claim

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def book(sample_assistant: Assistant) -> ClaimBook:
    return sample_assistant.claims


def statements(book: ClaimBook, speaker: str, stance: str = "") -> list[Claim]:
    return book.find(speaker=speaker, stance=stance, kind="statement")


def test_north_korea_un_representative_dismissed_the_reports(book: ClaimBook) -> None:
    found = [c for c in statements(book, "North Korea", "dismissed") if "stereotype rumors" in c.statement]
    assert found and "representative" in (found[0].role + found[0].speaker).lower()


def test_nebenzia_dismissed_it_and_accused_the_west_of_scaremongering(book: ClaimBook) -> None:
    found = statements(book, "Nebenzia", "dismissed")
    assert found and all(c.speaker == "Vassily Nebenzia" for c in found)
    assert {c.article_id.split("-")[0] for c in found} >= {"ap", "north"}, "merged across two articles"
    accused = statements(book, "Nebenzia", "accused")
    assert any("scaremongering" in c.statement and c.statement.startswith("He accused") for c in accused), \
        "'He accused ...' is resolved to Nebenzia"


def test_peskov_spoke_of_contradictory_information(book: ClaimBook) -> None:
    found = statements(book, "Peskov")
    assert found and all(c.speaker == "Dmitry Peskov" for c in found)
    assert any("contradictory information" in c.statement for c in found)


def test_austin_could_not_confirm_in_naples_then_saw_evidence_in_rome(book: ClaimBook) -> None:
    found = statements(book, "Austin")
    assert {c.speaker for c in found} == {"Lloyd Austin"}, "'Mr Austin' and 'Lloyd Austin' are one speaker"
    naples = [c for c in found if "can't confirm" in c.statement]
    rome = [c for c in found if "There is evidence" in c.statement]
    assert naples and rome
    assert naples[0].stance == "did not confirm"
    assert naples[0].published < rome[0].published, "the store orders what he said in time"


def test_woodward_said_highly_likely(book: ClaimBook) -> None:
    found = statements(book, "Woodward")
    assert any('"highly likely"' in c.statement for c in found)
    assert found[0].role == "UN Ambassador" and found[0].organisation == "Britain"


def test_rutte_first_saw_no_evidence_then_warned_of_escalation(book: ClaimBook) -> None:
    found = statements(book, "Rutte")
    assert {c.speaker for c in found} == {"Mark Rutte"}
    assert any("no evidence" in c.statement for c in found)
    assert any("significant escalation" in c.statement or "significantly escalate" in c.statement for c in found)


def test_a_bare_kim_with_two_full_kims_in_its_article_stays_itself(book: ClaimBook) -> None:
    # Both articles name Kim Jong Un and Kim Hong Kyun, so "Kim said ..." is not guessed to be either.
    bare = [c for c in book.find(kind="statement") if "Kim" in c.mentions]
    assert len({c.article_id for c in bare}) == 2
    assert {c.speaker for c in bare} == {"Kim"}


def test_troop_figures_with_who_stated_them(book: ClaimBook) -> None:
    figures = [c for c in book.find(kind="figure") if c.unit in {"troops", "soldiers", "forces"}]
    values = {c.value for c in figures}
    assert {1500, 3000, 10000, 12000} <= values
    zelensky = [c for c in figures if c.value == 10000 and "Zelensk" in c.speaker]
    nis = [c for c in figures if c.value == 10000 and "Cho Tae-yong" in c.speaker]
    assert zelensky and nis, "10,000 is both Zelensky's figure and the NIS plan by December"


def test_how_many_troops_answer_lists_the_differing_figures(sample_assistant: Assistant) -> None:
    answer = sample_assistant.ask("How many North Korean troops were sent to Russia, according to different sources?")
    stated = {f for f in ("1,500", "3,000", "10,000", "12,000") if f in answer.answer}
    assert len(stated) >= 3, answer.answer
    assert answer.citations


def test_what_did_austin_say_answers_with_both_statements(sample_assistant: Assistant) -> None:
    answer = sample_assistant.ask("What did Lloyd Austin say, and did it change?")
    assert "can't confirm" in answer.answer and "evidence" in answer.answer
    assert answer.answer.index("can't confirm") < answer.answer.index("evidence")


def test_title_and_organisation_are_split_from_the_name() -> None:
    (c,) = [c for c in extract("a", "Russia's UN Ambassador Vassily Nebenzia said the claims were false.")
            if c.kind == "statement"]
    assert (c.person, c.role, c.organisation) == ("Vassily Nebenzia", "UN Ambassador", "Russia")


def test_quote_before_speaker_and_pronouns_are_attributed() -> None:
    text = ('Nato chief Mark Rutte said the alliance was watching. He warned of "a dangerous escalation." '
            '"We are ready," said Jane Doe, a spokesperson for the ministry.')
    claims = {c.speaker: c for c in extract("a", text)}
    assert claims["Mark Rutte"].stance in {"said", "warned"}
    assert "Jane Doe" in claims and claims["Jane Doe"].role == "spokesperson for the ministry"
    warned = [c for c in extract("a", text) if c.stance == "warned"]
    assert warned and warned[0].speaker == "Mark Rutte"


def test_claims_cli(sample_settings: settings_module.Settings) -> None:
    env = {**os.environ, "NEWSQA_HOME": str(sample_settings.home)}
    out = subprocess.run([sys.executable, "-m", "assistant", "claims", "--speaker", "Peskov", "--json"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=120, check=True)
    rows = json.loads(out.stdout)
    assert rows and {r["speaker"] for r in rows} == {"Dmitry Peskov"}
    assert {"speaker", "role", "stance", "statement", "article_id", "published", "start", "end"} <= set(rows[0])


def test_extraction_precision_and_recall_on_the_labelled_set() -> None:
    from evals.claims_eval import evaluate

    result = evaluate(ROOT / "evals" / "datasets" / "sample_claims.jsonl")
    assert result["gold"] >= 40
    assert result["precision"] >= 0.9 and result["recall"] >= 0.8, result["misses"] + result["wrong"]
    print(f"\nclaims extraction: precision {result['precision']:.2f}, recall {result['recall']:.2f}, "
          f"stance accuracy {result['stance_accuracy']:.2f}")


# --- the optional LLM extractor (NEWSQA_CLAIMS_EXTRACTOR=llm) ---------------------------------

SHORT = ("The Tervan defence minister Ola Brekke denied on Monday that troops had crossed the border, "
         "calling the reports \"pure invention\". Brekke said the army had stayed in its barracks.\n")


def test_llm_claim_lines_are_kept_only_when_their_quote_is_in_the_article() -> None:
    from index.claims_llm import parse

    output = "\n".join([
        '{"speaker": "Ola Brekke, the Tervan defence minister", "stance": "denied", '
        '"quote": "troops had crossed the border"}',
        '{"speaker": "Ola Brekke", "stance": "rejected", "quote": "the army had  stayed in its barracks"}',
        '{"speaker": "Ola Brekke", "stance": "said", "quote": "the army invaded at dawn"}',  # not in the text
        'Sure! Here are the statements:',
        '{"speaker": "Brekke", "quote": ',
    ])
    got = parse(output, "a1", SHORT)
    assert got.dropped == 2
    assert [(c.person, c.stance) for c in got.claims] == [("Ola Brekke", "denied"), ("Ola Brekke", "denied")]
    assert got.claims[0].role == "Tervan defence minister"
    for c in got.claims:
        assert SHORT[c.start:c.end] == c.statement


def _llm_settings(tmp_path: Path, base_url: str) -> settings_module.Settings:
    return settings_module.Settings(home=tmp_path / "home", claims_extractor="llm", openai_base_url=base_url,
                                    llm_timeout=60)


def test_llm_extractor_against_a_real_server_stores_only_grounded_claims(
    tmp_path: Path, llm_server: str, embedder: object
) -> None:
    from index.build import Pipeline, build

    (tmp_path / "a.txt").write_text(SHORT)
    s = _llm_settings(tmp_path, llm_server)
    pipe = Pipeline(s, embedder)  # type: ignore[arg-type]
    report = build([tmp_path / "a.txt"], s, progress=False, pipeline=pipe)
    assert report.added and any(n.startswith("claims by local at") for n in report.notes), report.summary()
    assert not pipe.llm_failure
    store = pipe.open_store()
    text = next(iter(store.records(with_text=True).values())).text
    for c in store.claims():
        assert text[c.start:c.end] == c.statement


def test_llm_extractor_falls_back_to_the_rules_when_the_server_is_down(tmp_path: Path, embedder: object) -> None:
    from index.build import Pipeline, build
    from tests.llm_server import closed_port_url

    (tmp_path / "a.txt").write_text(SHORT)
    s = _llm_settings(tmp_path, closed_port_url())
    pipe = Pipeline(s, embedder)  # type: ignore[arg-type]
    report = build([tmp_path / "a.txt"], s, progress=False, pipeline=pipe)
    assert report.added and report.claims == len(extract("x", SHORT)) > 0
    assert "the rules were used" in report.summary() and "not reachable" in report.summary()


def test_how_many_questions_get_the_figures_that_count_their_noun(book: ClaimBook) -> None:
    from assistant.question import analyze
    from assistant.text import stem

    q = analyze("How many soldiers did North Korea send?")
    figures = [c for c in book.relevant(q) if c.kind == "figure"]
    assert figures and {stem(c.unit) for c in figures} == {"soldier"}
    everything = [c for c in book.relevant(analyze("How much did it all cost?")) if c.kind == "figure"]
    assert len(everything) == len(book.find(kind="figure")), "no figure counts 'cost': every figure is relevant"


def test_lookups_find_what_a_scan_of_every_claim_finds(book: ClaimBook) -> None:
    """The speaker/stance/unit/article lookups are an index, not a new rule: same claims, same order."""
    from assistant.claims import _fold
    from assistant.text import stem

    claims = book.all()
    words = sorted({w for c in claims for w in _fold(" ".join([c.speaker, c.role, c.organisation])).split()})
    speakers = [*words, *{w[1:4] for w in words if len(w) > 4}, *{c.speaker for c in claims}, "zzqx", "north korea"]
    stances = sorted({c.stance for c in claims} | {c.stance[:4] for c in claims} | {"x"})
    assert len(speakers) > 20 and len(stances) > 3
    for who in speakers:
        scan = [c for c in claims if _fold(who) in _fold(" ".join([c.speaker, c.role, c.organisation, *c.mentions]))]
        assert book.find(speaker=who) == scan, who
    for how in stances:
        scan = [c for c in claims if c.stance.startswith(how) or stem(c.stance) == stem(how) or how in c.stance]
        assert book.find(stance=how) == scan, how


def test_claims_of_the_retrieved_articles_are_those_of_all_claims_in_them(book: ClaimBook) -> None:
    from assistant.question import analyze

    gold = ROOT / "evals" / "datasets" / "sample_gold.jsonl"
    questions = [json.loads(line)["question"] for line in gold.open()]
    articles = sorted({c.article_id for c in book.all()})
    some = 0
    for i, text in enumerate(questions):
        q = analyze(text)
        chosen = set(articles[i % len(articles):][:3])
        everywhere = book.relevant(q)
        assert book.relevant(q, articles=chosen) == [c for c in everywhere if c.article_id in chosen], text
        some += bool(everywhere)
    assert some > len(questions) // 3, "most questions have relevant claims"
