"""The words who-said-what reads, in one place: reporting verbs with their stance, and wording.

General English news vocabulary, not any one story's. Attribution (``index/attribution.py``)
uses it to find and classify statements; the assistant uses the same stances and stems to read
questions ("who denied...?"), so a question and the store speak one vocabulary.

The parser runs without a lemmatizer (it costs time and attribution needs none), so each verb's
inflections are generated here: ``VERB_FORMS`` maps every written form to its stance.
"""

from __future__ import annotations

import re

# lemma -> stance. "said" is the neutral stance.
REPORTING_VERBS: dict[str, str] = {
    **dict.fromkeys(["say", "tell", "add", "state", "explain", "stress", "emphasize", "emphasise", "insist",
                     "reiterate", "write", "note", "argue", "suggest", "comment", "remark", "predict",
                     "testify", "declare", "maintain", "contend", "caution", "admit", "concede", "recall",
                     "observe", "acknowledge", "ask", "tweet", "post", "call", "agree", "reply", "respond", "vow",
                     "mention", "attribute", "recommend", "pledge", "boast", "answer", "complain", "joke", "continue",
                     "describe"],
                    "said"),
    **dict.fromkeys(["deny", "reject", "refute", "dispute"], "denied"),
    **dict.fromkeys(["dismiss", "downplay"], "dismissed"),
    **dict.fromkeys(["confirm", "verify"], "confirmed"),
    **dict.fromkeys(["warn"], "warned"),
    **dict.fromkeys(["condemn", "denounce", "criticize", "criticise", "slam"], "condemned"),
    **dict.fromkeys(["estimate", "forecast", "project"], "estimated"),
    **dict.fromkeys(["accuse", "blame"], "accused"),
    **dict.fromkeys(["demand", "urge", "press", "implore"], "demanded"),
    **dict.fromkeys(["allege", "claim", "assert"], "alleged"),
    **dict.fromkeys(["report", "reveal", "disclose", "find", "show"], "reported"),
    "announce": "said",
}
# Forms English does not build by rule.
IRREGULAR: dict[str, tuple[str, ...]] = {
    "say": ("says", "said", "saying"),
    "tell": ("tells", "told", "telling"),
    "write": ("writes", "wrote", "written", "writing"),
    "forecast": ("forecasts", "forecast", "forecasted", "forecasting"),
    "slam": ("slams", "slammed", "slamming"),
    "admit": ("admits", "admitted", "admitting"),
    "find": ("finds", "found", "finding"),
    "show": ("shows", "showed", "shown", "showing"),
}
# Verbs that are speech only with a reported clause, a quotation or a colon after them: "added 2,000
# jobs", "reported revenue", "called for calm" and "posted a loss" say nothing of their own.
NEEDS_CLAUSE = frozenset({
    "add", "note", "report", "reveal", "disclose", "find", "show", "concede", "agree", "respond", "pledge", "joke",
    "complain", "boast", "recommend", "estimate", "forecast", "project", "call", "post", "tweet", "recall",
    "observe", "maintain", "predict", "explain", "write", "ask", "claim", "stress", "admit", "acknowledge",
    "suggest", "state", "confirm", "verify", "comment", "remark", "answer", "press", "testify", "reply", "continue",
    "describe",
})
# Verbs of findings: speech only before "that ..." or a colon, or after the finding ("..., the study found").
FINDINGS = frozenset({"find", "show"})
# What a denial denies when it is speech: "denied the allegations", not "rejected the amendment" (a vote) or
# "dismissed the lawsuit" (a ruling); a clause or a quotation after the verb counts as well.
DENIED_THINGS = frozenset({
    "allegation", "allegations", "accusation", "accusations", "claim", "claims", "charge", "charges", "report",
    "reports", "reporting", "rumor", "rumors", "rumour", "rumours", "wrongdoing", "involvement", "responsibility",
    "suggestion", "suggestions", "assertion", "assertions", "characterization", "characterisation", "idea",
    "notion", "premise", "criticism", "criticisms", "account", "accounts", "story", "stories", "findings",
    "conclusion", "conclusions", "statement", "statements", "speculation", "assessment", "narrative", "theory",
    "link", "links", "knowledge", "comments", "remarks", "concerns", "fears", "warnings", "talk", "figures",
    "numbers", "estimate", "estimates", "data", "version", "description", "portrayal", "depiction", "analysis",
    "results", "interpretation", "framing", "label", "term",
    "it", "this", "that", "them", "these", "those", "everything", "anything",
})
# Nouns a news story uses for an organisation it has named: "the company said" is the company named before.
ORG_NOUNS = frozenset({
    "company", "firm", "agency", "automaker", "carmaker", "retailer", "bank", "lender", "insurer", "airline",
    "union", "department", "ministry", "university", "organization", "organisation", "institute", "network",
    "startup", "manufacturer", "maker", "chain", "league", "club", "publisher", "platform", "giant", "broadcaster",
    "studio", "brand", "council", "committee", "group", "operator", "carrier", "regulator", "watchdog", "charity",
    "nonprofit", "foundation", "hospital", "school", "college", "streamer", "conglomerate", "business", "utility",
})
# Nouns that can show something ("the data shows", "the video shows"); other subjects of "show" are not
# sources ("the song's influence shows that ...").
EVIDENCE = frozenset({"show"})
SOURCE_NOUNS = frozenset({
    "study", "studies", "report", "reports", "survey", "surveys", "poll", "polls", "data", "research", "analysis",
    "analyses", "review", "paper", "findings", "results", "evidence", "figures", "statistics", "numbers",
    "estimates", "document", "documents", "filing", "filings", "letter", "records", "record", "audit",
    "investigation", "test", "tests", "testing", "trial", "experiment", "model", "models", "census", "footage",
    "video", "videos", "image", "images", "photos", "memo", "email", "emails", "statement", "complaint",
    "lawsuit", "suit", "transcript", "minutes", "forecast", "projections", "tally", "count", "chart", "map",
    "table", "graph", "figure",
    "researchers", "scientists", "authors", "analysts", "experts", "officials", "economists", "investigators",
})
# Photo agencies a credit ends with ("Jane Roe/AFP/Getty Images"): a caption is not the article's reporting.
PHOTO_AGENCIES: tuple[str, ...] = (
    "USA TODAY Sports", "USA TODAY NETWORK", "USA TODAY", "Getty Images", "AP", "AFP", "Reuters", "EPA-EFE", "EPA",
    "Bloomberg", "Shutterstock", "Sipa USA", "ZUMA Press", "Alamy", "Pool", "NurPhoto", "SOPA Images",
    "LightRocket", "Imagn Images", "Xinhua", "Kyodo", "Yonhap", "PA Images", "PA", "WireImage", "FilmMagic",
    "Invision", "Redux", "CNN", "NASA", "Anadolu Agency", "Icon Sportswire", "NBAE",
)
STANCES: tuple[str, ...] = ("said", "denied", "dismissed", "confirmed", "did not confirm", "warned", "condemned",
                            "estimated", "accused", "demanded", "alleged", "reported")
# question word stem -> the stances that answer it ("who rejected...?" is answered by denials too)
STANCE_GROUPS: dict[str, tuple[str, ...]] = {
    "deni": ("denied", "dismissed"),
    "dismiss": ("dismissed", "denied"),
    "reject": ("denied", "dismissed"),
    "confirm": ("confirmed", "did not confirm"),
    "verifi": ("confirmed", "did not confirm"),
    "condemn": ("condemned",),
    "criticis": ("condemned",),
    "critic": ("condemned",),
    "warn": ("warned",),
    "accus": ("accused",),
    "alleg": ("alleged", "reported"),
    "claim": ("alleged",),
    "estim": ("estimated",),
    "forecast": ("estimated",),
    "predict": ("estimated",),
    "demand": ("demanded",),
    "urg": ("demanded",),
}
# Wording that turns a neutral statement into a dismissal, or a confirmation into its refusal.
DISMISSIVE = re.compile(r"\b(?:groundless|baseless|unfounded|rumou?rs?|fake news|absurd|scaremongering|lies|"
                        r"nonsense|ridiculous|fabricat\w*|smear\w*|hoax|speculation)\b", re.I)
NOT_CONFIRMED = re.compile(r"\b(?:can'?t|cannot|could not|couldn'?t|haven'?t|hasn'?t|has not|have not|did not|"
                           r"didn'?t|does not|doesn'?t|would not|wouldn'?t|declined to|refused to|unable to|"
                           r"no) (?:\w+ )?(?:confirm|verif|evidence|comment)|\bneither\b.*\bnor\b.*\bconfirm",
                           re.I)
# Modal auxiliaries that make a reporting verb hypothetical ("would say", "might claim").
HYPOTHETICAL = frozenset({"would", "could", "might", "may", "should"})
# Pronouns that stand for the last named speaker of the paragraph: people, or bodies.
PERSON_PRONOUNS = frozenset({"he", "she"})
BODY_PRONOUNS = frozenset({"it", "they"})
# Honorifics written before a name; a name key never holds them.
HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame"})
ACCORDING = re.compile(r"\baccording to\b", re.I)
QUOTE_MARKS = "\"\u201c\u201d"


def _regular_forms(lemma: str) -> tuple[str, ...]:
    """Third person, past and -ing forms of a regular verb: 'deny' -> denies, denied, denying."""
    if lemma.endswith("e"):
        return lemma + "s", lemma + "d", lemma[:-1] + "ing"
    if lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
        return lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"
    if lemma.endswith(("s", "sh", "ch", "x", "z")):
        return lemma + "es", lemma + "ed", lemma + "ing"
    return lemma + "s", lemma + "ed", lemma + "ing"


def _forms() -> dict[str, str]:
    out: dict[str, str] = {}
    for lemma in sorted(REPORTING_VERBS):
        for form in (lemma, *IRREGULAR.get(lemma, _regular_forms(lemma))):
            out.setdefault(form, lemma)
    return out


VERB_FORMS: dict[str, str] = _forms()  # written form -> lemma


def _trigger_forms() -> list[str]:
    """Forms worth a parse. 'report(s)', 'claim(s)', 'state(s)' are nouns far more often than
    speech, so verbs that need a clause anyway trigger a parse only in their past and -ing forms."""
    weak = NEEDS_CLAUSE | FINDINGS
    present = {lemma: {lemma, IRREGULAR.get(lemma, _regular_forms(lemma))[0]} for lemma in REPORTING_VERBS}
    return sorted((f for f, lemma in VERB_FORMS.items() if lemma not in weak or f not in present[lemma]),
                  key=lambda f: (-len(f), f))


# A sentence is parsed when it holds a reporting verb, "according to", or a digit that is not part of
# a year (the figures); a quotation mark counts only beside a verb form that alone would not
# ('"...," she notes.'): a quotation with no verb at all has no speaker to find.
CANDIDATE = re.compile(r"\b(?:" + "|".join(_trigger_forms()) + r")\b|\baccording to\b|"
                       r"(?<![\d.,/:-])(?!(?:1[89]|20)\d\d\b)\d", re.I)
_FORMS = "|".join(sorted(VERB_FORMS, key=lambda f: (-len(f), f)))
_ANY_FORM = re.compile(rf"\b(?:{_FORMS})\b", re.I)
_QUOTE = re.compile(f"[{QUOTE_MARKS}]")
# "he said", "She later told", "said he": a speaker whom the sentence before may name
PRONOUN_SPEAKER = re.compile(rf"\b(?:he|she)\s+(?:\w+\s+)?(?:{_FORMS})\b|\b(?:{_FORMS})\s+(?:he|she)\b", re.I)


def is_candidate(text: str, start: int = 0, end: int | None = None) -> bool:
    """Can text[start:end] hold an attribution or a figure (is it worth a parse)?"""
    end = len(text) if end is None else end
    return bool(CANDIDATE.search(text, start, end)
                or (_QUOTE.search(text, start, end) and _ANY_FORM.search(text, start, end)))


def stance_of(form: str) -> str:
    """The stance a reporting verb form carries ('rejected' -> 'denied'); '' when not a reporting verb."""
    lemma = VERB_FORMS.get(form.lower())
    return REPORTING_VERBS[lemma] if lemma else ""


def stance_from_wording(stance: str, statement: str) -> str:
    """A neutral verb over dismissive words dismisses; 'could not confirm' wording does not confirm."""
    if stance == "said" and DISMISSIVE.search(statement):
        return "dismissed"
    if stance in {"said", "confirmed"} and NOT_CONFIRMED.search(statement):
        return "did not confirm"
    return stance
