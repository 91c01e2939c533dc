"""Who said what: attributed statements and figures, extracted from each article at index time.

Deterministic rules over the clean text, no model: news prose attributes almost every claim in
one of a few shapes, which these rules read.

    "QUOTE," SPEAKER said ...            "QUOTE," said SPEAKER, ROLE ...
    SPEAKER (later|also ...) VERB (that) CLAUSE      According to SPEAKER, CLAUSE
    He/She VERB ...  (the speaker of the previous sentence)

A speaker is split into a person's name and a role ("Vassily Nebenzia" / "Russia's United
Nations ambassador"), and mapped to a canonical key so that "Mr Austin", "Lloyd Austin" and
"US defence secretary Lloyd Austin", or "Pyongyang", "DPRK" and "North Korea", are one speaker.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from index.chunking import sentence_spans
from index.models import published_key

# reporting verb -> stance
VERBS: dict[str, str] = {
    **dict.fromkeys(["said", "says", "say", "told", "added", "stated", "explained", "stressed", "emphasized",
                     "emphasised", "insisted", "reiterated", "wrote", "noted", "argued", "suggested"], "said"),
    **dict.fromkeys(["denied", "denies", "deny", "rejected", "refuted"], "denied"),
    **dict.fromkeys(["dismissed", "dismisses", "downplayed", "brushed"], "dismissed"),
    **dict.fromkeys(["confirmed", "confirms", "acknowledged", "verified"], "confirmed"),
    **dict.fromkeys(["warned", "warns", "cautioned"], "warned"),
    **dict.fromkeys(["condemned", "condemns", "denounced", "criticized", "criticised"], "condemned"),
    **dict.fromkeys(["estimated", "updated", "revised"], "estimated"),
    **dict.fromkeys(["accused", "accuses", "blamed"], "accused"),
    **dict.fromkeys(["demanded", "urged"], "demanded"),
    **dict.fromkeys(["alleged", "alleges", "claimed", "asserted"], "alleged"),
    **dict.fromkeys(["reported", "revealed", "announced", "disclosed", "cited"], "reported"),
}
DISMISSIVE = re.compile(r"\b(?:groundless|baseless|rumou?rs?|fake news|absurd|scaremongering|lies|nonsense|"
                        r"fabricat\w*|smear\w*)\b", re.I)
NOT_CONFIRMED = re.compile(r"\b(?:can'?t|cannot|could not|couldn'?t|haven'?t|has not|have not|did not|"
                           r"didn'?t|no) (?:\w+ )?(?:confirm|verif|evidence)|\bneither\b.*\bnor\b.*\bconfirm", re.I)

# Canonical names for the states and bodies news reports refer to in several ways.
ALIASES: dict[str, str] = {
    **dict.fromkeys(["north korea", "pyongyang", "dprk", "the north", "north korean", "north korea's",
                     "democratic people's republic of korea"], "North Korea"),
    **dict.fromkeys(["south korea", "seoul", "south korean", "republic of korea", "rok"], "South Korea"),
    **dict.fromkeys(["russia", "moscow", "russian", "kremlin", "russian federation"], "Russia"),
    **dict.fromkeys(["united states", "us", "u.s.", "washington", "america", "american", "pentagon"],
                    "United States"),
    **dict.fromkeys(["ukraine", "kyiv", "kiev", "ukrainian"], "Ukraine"),
    **dict.fromkeys(["nato", "the alliance"], "NATO"),
    **dict.fromkeys(["national intelligence service", "nis", "spy agency", "south korea's spy agency",
                     "the south's spy agency", "south korean intelligence", "seoul's intelligence agency"],
                    "National Intelligence Service (South Korea)"),
    **dict.fromkeys(["china", "beijing", "chinese"], "China"),
    **dict.fromkeys(["germany", "berlin", "german", "german foreign office"], "Germany"),
    **dict.fromkeys(["britain", "uk", "united kingdom", "british"], "United Kingdom"),
    **dict.fromkeys(["japan", "tokyo", "japanese"], "Japan"),
}
ROLE_WORDS = re.compile(
    r"\b(?:ambassador|minister|secretary|secretary-general|secretary general|spokesman|spokesperson|spokeswoman|"
    r"president|director|chief|representative|envoy|official|officials|lawmakers|mps|member|fellow|chair|analyst|"
    r"analysts|agency|ministry|office|embassy|government|leader|commander|delegation|observers|experts|media|"
    r"deputy|vice|first|defen[cs]e|foreign|affairs|un|united nations|nato)\b",
    re.I,
)
PRONOUNS = {"he", "she", "they"}
_NAME_WORD = r"(?:[A-Z][a-z]+(?:-[A-Za-z][a-z]+)?|[A-Z]{2,})"
_PERSON = re.compile(rf"(?:(?:Mr|Mrs|Ms|Dr)\.? )?{_NAME_WORD}(?: {_NAME_WORD}){{0,3}}$")
_FIGURE = re.compile(r"\b(\d{1,3}(?:,\d{3})+|\d{2,})\s+(?:(?:[A-Za-z-]+ ){0,4})?"
                     r"(troops|soldiers|forces|special forces|personnel|containers|deaths|dead|killed|casualties|"
                     r"villages|missiles|shells)\b")
VERB_RE = "|".join(sorted(VERBS, key=len, reverse=True))
_ADVERBS = r"(?:(?:has|have|had|also|later|previously|earlier|then|reportedly|officially|once|again|strongly|" \
           r"publicly|separately|further|already|now|since|consistently|independently|never|not|haven't|hasn't|" \
           r"has not|have not|didn't|did not|on \w+|in \w+|this \w+|last \w+)\s+)*"
_TRAILING_TIME = re.compile(r"(?:\s+(?:earlier|later|previously|also|then|this|last|on|in|month|week|year|"
                            r"monday|tuesday|wednesday|thursday|friday|saturday|sunday))+$", re.I)
_NOT_SPEAKERS = {"the", "first", "latest", "a", "an", "reported", "its", "their", "his", "her"}
_QUOTE_THEN_SAID = re.compile(r'^"(?P<quote>[^"]{8,}?)[,.?!]?"\s*,?\s*(?P<rest>.*)$')
_SPEAKER_VERB = re.compile(rf"(?P<speaker>[^,;:\"]{{2,120}}?)\s+{_ADVERBS}\"?(?P<verb>{VERB_RE})\b(?P<rest>.*)$")
_QUOTE_ENDS = re.compile(r'^(?P<quote>[^"]{8,}?[,.?!])"\s*(?P<rest>.*)$')  # a quote begun in the sentence before
_VERB_SPEAKER = re.compile(rf"^(?P<verb>{VERB_RE})\s+(?P<speaker>[^,.;]{{2,100}})(?P<rest>.*)$")
_APPOSITIVE = re.compile(
    rf"^(?P<name>{_NAME_WORD}(?: {_NAME_WORD}){{1,3}}),\s+(?P<role>[^,;\"]{{3,100}}),\s+{_ADVERBS}"
    rf"(?P<verb>{VERB_RE}|telling)\b"
)
_ACCORDING = re.compile(r"\b[Aa]ccording to (?:the )?(?P<speaker>[^,.;]{2,80})")


@dataclass
class Claim:
    """An attributed statement or figure; ``start``/``end`` locate it in the article's clean text."""

    id: str
    article_id: str
    speaker: str  # as canonical as the rules get it: "Vassily Nebenzia", "North Korea"
    speaker_key: str  # lowercase key speakers are merged on
    person: str  # the person's name when the speaker is a person
    role: str  # "Russia's United Nations ambassador"
    organisation: str  # canonical organisation or country, when the speaker names one
    stance: str
    statement: str
    start: int
    end: int
    kind: str = "statement"  # or "figure"
    value: int = 0
    unit: str = ""
    published: str = ""
    title: str = ""
    source: str = ""
    mentions: list[str] = field(default_factory=list)  # the speaker as written

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    def to_metadata(self) -> dict[str, str | int]:
        """Chroma metadata: scalars only (the statement itself is the record's document)."""
        meta = {k: v for k, v in asdict(self).items() if k not in {"statement", "mentions"}}
        meta["mentions"] = " | ".join(self.mentions)
        meta["published_key"] = published_key(self.published)
        return meta

    @classmethod
    def from_metadata(cls, meta: dict[str, object], statement: str) -> Claim:
        fields = {k: meta[k] for k in cls.__dataclass_fields__ if k in meta and k != "mentions"}
        mentions = [m for m in str(meta.get("mentions", "")).split(" | ") if m]
        return cls(statement=statement, mentions=mentions, **fields)  # type: ignore[arg-type]


_ALIAS_RE = re.compile(
    "|".join(rf"(?<![a-z]){re.escape(a)}(?![a-z])" for a in sorted(ALIASES, key=len, reverse=True))
)


def organisation_of(text: str) -> str:
    """The canonical body a phrase names ("Seoul's spy agency" -> the NIS), longest alias first."""
    found = [m.group(0) for m in _ALIAS_RE.finditer(text.lower())]
    return ALIASES[max(found, key=len)] if found else ""


def split_speaker(phrase: str) -> tuple[str, str]:
    """'Russia's UN Ambassador Vassily Nebenzia' -> ('Vassily Nebenzia', "Russia's UN Ambassador")."""
    phrase = re.sub(r"^(?:and|but|while|as|when|meanwhile|however|both|though|although|neither)\s+", "",
                    phrase.strip(), flags=re.I)
    phrase = re.sub(r"^(?:a|an|the)\s+", "", phrase, flags=re.I).strip(" ,")
    phrase = _TRAILING_TIME.sub("", re.sub(r"\s+issued a statement$", "", phrase))
    words = phrase.split()
    # the person's name is the run of capitalised words at the end that are not role words
    name: list[str] = []
    for w in reversed(words):
        bare = w.strip(",")
        if re.fullmatch(_NAME_WORD, bare) and not ROLE_WORDS.fullmatch(bare) and bare.lower() not in ALIASES:
            name.insert(0, bare)
        else:
            break
    role = " ".join(words[: len(words) - len(name)]).strip(" ,")
    if name and name[0] in {"Mr", "Mrs", "Ms", "Dr"}:
        name = name[1:]
    person = " ".join(name)
    if person and not role and organisation_of(person) and len(name) <= 2:
        return "", person  # "North Korea", "Pyongyang": an organisation, not a person
    return person, role


def _clean_phrase(phrase: str) -> str:
    phrase = re.sub(r"\s+", " ", phrase).strip(" ,")
    # "X, a senior research fellow at Y" -> keep the name, the apposition becomes the role
    return phrase


def _speaker_ok(phrase: str) -> bool:
    if not phrase or len(phrase.split()) > 14 or set(phrase.lower().split()) <= _NOT_SPEAKERS:
        return False
    first = phrase.split()[0].lower()
    if first in {"it", "this", "that", "which", "what", "there", "these", "those", "who"}:
        return False
    return bool(re.search(r"[A-Z]", phrase)) or phrase.lower() in PRONOUNS or bool(ROLE_WORDS.search(phrase))


@dataclass
class Speaker:
    person: str
    role: str
    organisation: str
    written: str


def parse_speaker(phrase: str) -> Speaker | None:
    phrase = _clean_phrase(phrase)
    if "," in phrase:  # "Park Sun-won, a member of a parliamentary intelligence committee"
        head, _, tail = phrase.partition(",")
        person, role = split_speaker(head)
        role = role or re.sub(r"^(?:a|an|the)\s+", "", tail.strip(), flags=re.I)
    else:
        person, role = split_speaker(phrase)
    if not _speaker_ok(phrase):
        return None
    org = organisation_of(role) or (organisation_of(person) if not person else "")
    if not person and not role:
        return None
    return Speaker(person, role, org, phrase)


def extract(article_id: str, text: str, *, published: str = "", title: str = "", source: str = "") -> list[Claim]:
    """All attributed statements and figures in one article's clean text."""
    claims: list[Claim] = []
    last_person: Speaker | None = None
    spans = sentence_spans(text)
    for idx, (s, e) in enumerate(spans):
        sentence = text[s:e]
        found = _attribution(sentence)
        if found is None:
            fig = _figures(sentence)
            m = _ACCORDING.search(sentence)
            speaker = parse_speaker(m.group("speaker")) if m else None
            for value, unit in fig:
                claims.append(make_claim(article_id, speaker, "reported", sentence, s, e, "figure", value, unit))
            if speaker:
                claims.append(make_claim(article_id, speaker, "reported", sentence, s, e))
            continue
        speaker, stance = found
        if speaker.written.lower() in PRONOUNS or speaker.written.lower().startswith(("he ", "she ")):
            if last_person is None:
                continue
            speaker = last_person
        end = e
        # "X dismissed the claim. He accused the West of ..." -> one statement of X's
        if idx + 1 < len(spans) and re.match(r"(?:He|She)\s", text[spans[idx + 1][0] : spans[idx + 1][1]]):
            nxt = _attribution(text[spans[idx + 1][0] : spans[idx + 1][1]])
            if nxt is not None and nxt[0].written.lower() in PRONOUNS:
                end = spans[idx + 1][1]
        if not sentence.startswith('"') and _QUOTE_ENDS.match(sentence) and idx > 0:
            s = spans[idx - 1][0]  # the quotation began in the previous sentence
        statement = text[s:end]
        if stance == "said" and DISMISSIVE.search(statement):
            stance = "dismissed"
        if stance in {"said", "confirmed"} and NOT_CONFIRMED.search(sentence):
            stance = "did not confirm"
        claims.append(make_claim(article_id, speaker, stance, statement, s, end))
        for value, unit in _figures(sentence):
            claims.append(make_claim(article_id, speaker, stance, sentence, s, e, "figure", value, unit))
        if speaker.person:
            last_person = speaker
    for c in claims:
        c.published, c.title, c.source = published, title, source
    return resolve_names(claims, text)


def _appositive(text: str) -> tuple[Speaker, str] | None:
    """'Park Sun-won, a member of a committee, said ...' / 'Patrick Cronin, security chair at X, told ...'."""
    m = _APPOSITIVE.match(text)
    if not m:
        return None
    sp = parse_speaker(f"{m.group('name')}, {m.group('role')}")
    return (sp, VERBS.get(m.group("verb"), "said")) if sp and sp.person else None


def _attribution(sentence: str) -> tuple[Speaker, str] | None:
    body = sentence.strip()
    lead = _appositive(body)
    if lead:
        return lead
    q = _QUOTE_THEN_SAID.match(body) or _QUOTE_ENDS.match(body)
    if q:  # "QUOTE," SPEAKER said ... | "QUOTE," said SPEAKER, ROLE | ...end of QUOTE," SPEAKER said
        rest = q.group("rest")
        vs = _VERB_SPEAKER.match(rest)
        if vs:
            sp = parse_speaker(vs.group("speaker") + _apposition(vs.group("rest")))
            if sp:
                return sp, VERBS[vs.group("verb")]
        sv = _SPEAKER_VERB.match(rest)
        if sv:
            sp = parse_speaker(sv.group("speaker"))
            if sp:
                return sp, VERBS[sv.group("verb")]
        appositive = _appositive(rest)
        if appositive:
            return appositive
        tell = re.match(r"(?P<speaker>[^,;]{2,80}?)\s+(?:telling|told|adding)\b", rest)
        if tell:
            sp = parse_speaker(tell.group("speaker"))
            if sp:
                return sp, "said"
        return None
    # strip a leading subordinate clause: "During a meeting with X, SPEAKER condemned ..."
    candidates = [(body, 0)]
    if "," in body[:160]:
        rest = body.split(",", 1)[1]
        candidates.append((rest.strip(), len(body) - len(rest) + (len(rest) - len(rest.lstrip()))))
    for cand, offset in candidates:
        sv = _SPEAKER_VERB.match(cand)
        if sv:
            before = body[: offset + sv.start("verb")]
            if before.count('"') % 2 and not before.endswith('"'):
                sv = None  # the verb is inside a quotation: someone else's words, not an attribution
        if sv and len(sv.group("speaker").split()) <= 14:
            tell_ok = not re.search(r"\b(?:if|whether|because|although|since|after|before)\b",
                                    sv.group("speaker"), re.I)
            sp = parse_speaker(sv.group("speaker")) if tell_ok else None
            if sp:
                return sp, VERBS[sv.group("verb")]
        tell = re.search(r"(?P<speaker>(?:[A-Z][\w.'-]*\s){1,8}?)\s*(?:telling|told)\s+(?:reporters|newsweek|the)\b",
                         cand)
        if tell:
            sp = parse_speaker(tell.group("speaker"))
            if sp:
                return sp, "said"
    return None


def _apposition(rest: str) -> str:
    m = re.match(r",\s*((?:a|an|the)\s[^,.;]{3,80})", rest)
    return f", {m.group(1)}" if m else ""


def _figures(sentence: str) -> list[tuple[int, str]]:
    return [(int(m.group(1).replace(",", "")), m.group(2).lower()) for m in _FIGURE.finditer(sentence)]


def make_claim(article_id: str, sp: Speaker | None, stance: str, statement: str, start: int, end: int,
           kind: str = "statement", value: int = 0, unit: str = "") -> Claim:
    person = sp.person if sp else ""
    org = sp.organisation if sp else ""
    role = sp.role if sp else ""
    speaker = person or (role if ROLE_WORDS.search(role) else org) or role or "unattributed"
    n = f"{start}-{end}-{kind}-{value}"
    return Claim(id=f"{article_id}:{n}", article_id=article_id, speaker=speaker, person=person,
                 speaker_key=speaker_key(person, org, sp.role if sp else ""), role=sp.role if sp else "",
                 organisation=org, stance=stance, statement=statement, start=start, end=end, kind=kind,
                 value=value, unit=unit, mentions=[sp.written] if sp else [])


def speaker_key(person: str, organisation: str, role: str) -> str:
    """People merge on their name; bodies on their canonical name plus the role's head noun."""
    if person:
        return _name_key(person)
    head = ""
    m = re.search(r"(representative|spokes\w+|ambassador|agency|ministry|office|embassy|government|lawmakers|mps|"
                  r"officials|media|intelligence)", role, re.I)
    if m:
        head = " " + {"mps": "lawmakers"}.get(m.group(1).lower(), m.group(1).lower())
    return (organisation.lower() or role.lower()) + head


def _name_key(name: str) -> str:
    key = re.sub(r"[-\s]+", " ", name.lower()).strip()
    return re.sub(r"(\w)\1\b", r"\1", key)  # Zelenskyy / Zelensky


def _same_person(short: str, full: str) -> bool:
    a, b = set(short.split()), set(full.split())
    return a <= b and len(a) < len(b)


_FULL_NAME = re.compile(rf"\b{_NAME_WORD}(?: {_NAME_WORD}){{1,6}}\b")


def resolve_names(claims: list[Claim], text: str) -> list[Claim]:
    """Within one article, "Kim" or "Mr Austin" is the last full name the article gave before."""
    full = {c.speaker_key: c for c in claims if c.person and len(c.speaker_key.split()) > 1}
    names_in_text: list[tuple[int, str]] = []
    if any(c.person and " " not in c.speaker_key for c in claims):
        for m in _FULL_NAME.finditer(text):
            person = split_speaker(m.group(0))[0]
            if person:
                names_in_text.append((m.start(), person))
    for c in claims:
        if not c.person or " " in c.speaker_key:
            continue
        match = [f for k, f in full.items() if _same_person(c.speaker_key, k)]
        if len(match) == 1:
            f = match[0]
            c.speaker, c.person, c.speaker_key = f.speaker, f.person, f.speaker_key
            c.organisation = c.organisation or f.organisation
            c.role = c.role if c.role not in {"", "Mr", "Mrs", "Ms", "Dr"} else f.role
            continue
        named = [n for pos, n in names_in_text if pos < c.start and _same_person(c.speaker_key, _name_key(n))]
        if named:
            c.speaker = c.person = named[-1]
            c.speaker_key = _name_key(named[-1])
    return claims


def merge_names(claims: Iterable[Claim]) -> list[Claim]:
    """Across articles: one key and the fullest name for each person ("Austin" -> "Lloyd Austin")."""
    claims = list(claims)
    keys = sorted({c.speaker_key for c in claims if c.person}, key=lambda k: -len(k.split()))
    canonical: dict[str, str] = {}
    for k in keys:
        canonical[k] = next((f for f in canonical.values() if _same_person(k, f)), k)
    names: dict[str, str] = {}
    for c in claims:
        c.speaker_key = canonical.get(c.speaker_key, c.speaker_key)
        if len(c.speaker.split()) > len(names.get(c.speaker_key, "").split()):
            names[c.speaker_key] = c.speaker
    for c in claims:
        c.speaker = names.get(c.speaker_key, c.speaker)
    return claims
