"""Who said what, read from the dependency parse: attributed statements and figures, any topic.

Only sentences that can hold an attribution or a figure (a reporting verb, "according to", a
digit, a quotation beside a verb: ``lexicon.is_candidate``) are parsed, in one batch per article; the rest
cost a regular expression. In a parsed sentence:

- a speaker is the subject of a reporting verb outside quotation marks ("'...,' said X", "X said
  that ...", "X, the CEO, denied ..."), or the object of "according to"; he/she (it/they) stand
  for the last named person (body) of the same paragraph or the PRONOUN_REACH paragraphs before
  (the sentence before a "he said" is read for it too), a person the article names in full somewhere,
  never one it calls by the other pronoun, nor a columnist of a press review;
- the verb must say something (``_is_speech``): a clause, a quotation of its own, a colon, or a
  reporting clause after the content; a denial must deny a claim, not a vote or a ruling; not
  under "if", "would", nor a participle describing what was said ("the plan, announced ...");
- the phrase is split by NER: a PERSON inside it is the person, the other title words the role,
  an ORG/GPE/NORP the organisation; a phrase with no PERSON is a body ("Cooper, a Democrat" splits
  at its appositive, and is a person when the article names a person Cooper in full); "the
  company", "the spokesperson" stand for the one organisation or role-holder described before;
- every CARDINAL/MONEY/PERCENT/QUANTITY entity is a figure, with the noun it counts.

A statement spans its sentence, widened to the whole quotation it belongs to and to a quotation
right after it that has no speaker of its own; overlapping statements of one speaker are stored once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from index import lexicon, nlp
from index.claims import Claim
from index.speakers import Speaker, name_key, resolve_article

FIGURE_LABELS = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY"})
ORG_LABELS = frozenset({"ORG", "GPE", "NORP"})
NOT_NAME_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})
SUBJECTS = frozenset({"nsubj", "nsubjpass"})
# children that are not part of who speaks: "Smith, who has long argued X," / "Smith and Jones"
NOT_SPEAKER = frozenset({"relcl", "advcl", "ccomp", "npadvmod", "advmod", "parataxis", "punct"})
CLAUSE_DEPS = frozenset({"relcl", "advcl", "ccomp"})  # dropped at any depth of a speaker phrase
CLAUSES = frozenset({"ccomp", "parataxis"})
# a verb whose subject it inherits: "X met Y, saying ...", "X issued a statement and warned ..."
INHERITS = frozenset({"conj", "xcomp", "advcl"})
DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those", "its", "their", "his", "her"})
NOT_BODIES = frozenset({"which", "that", "what", "who", "this", "these", "those", "there", "i", "we", "you", "one",
                        "it", "they", "he", "she", "some", "many", "others", "all", "both", "each", "anyone",
                        "someone", "somebody", "anybody", "everyone", "everybody", "nobody"})  # no identifiable source
MAX_SPEAKER_TOKENS = 14
PRONOUN_REACH = 2  # paragraphs back a he/she/it/they may look for its speaker
MAX_QUOTE_SENTENCES = 4  # a statement widened to its quotation stops after this many sentences
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mln": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9,
           "b": 1e9, "trillion": 1e12, "tn": 1e12}
_WORD_NUMBERS = {w: float(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())} | {"thirty": 30.0, "forty": 40.0, "fifty": 50.0, "sixty": 60.0,
                                                      "seventy": 70.0, "eighty": 80.0, "ninety": 90.0,
                                                      "hundred": 100.0, "dozen": 12.0, "dozens": 24.0}
# "said Jane Roe in The Guardian": a press review quotes a columnist about someone else, whom the
# next "he"/"she" still means
_COLUMNIST = re.compile(r"^(?:writing )?(?:in|on|for) (?:the )?[A-Z]")
# a photo credit: a photographer's or owner's name, "/", and a photo agency ("Jane Roe/AFP/Getty Images")
_NAME_WORDS = r"[A-Z][\w.'\u2019&-]*(?: [A-Z][\w.'\u2019&-]*){0,4}"
_CREDIT_WORDS = (_NAME_WORDS + r"(?: ?/ ?" + _NAME_WORDS + r")*? ?/ ?(?:"
                 + "|".join(re.escape(a) for a in lexicon.PHOTO_AGENCIES) + r")\b")
_CREDIT = re.compile(_CREDIT_WORDS + r"(?=\s+[A-Z\"\u201c]|\s*$)")  # "Jane Roe/AP Crowds gather ..."
_CREDIT_END = re.compile(r"[.!?]\s+" + _CREDIT_WORDS + r"\s*$")  # "... in April. Jane Roe/AFP/Getty Images"
_TEASER = re.compile(r"^[^\n]{0,80}?\w[?!]?:[^\W\d_]")  # "More:Headline", "Read more?:Headline"
_YEAR = re.compile(r"^(?:1[5-9]|20)\d\d$")


@dataclass
class _Found:
    speaker: Speaker
    stance: str
    pronoun: str = ""  # "he" when the speaker still has to be resolved
    definite: bool = False  # "the study": may be the fuller body named just before ("the 2018 study")
    inherited: bool = False  # the subject is another verb's ("samples did not match, suggesting ...")
    verb: int = -1  # the reporting verb's token


@dataclass
class _Reading:
    """What the sentences read so far tell the next one."""

    # "person"/"body" -> the last named speaker and its paragraph; "he"/"she" -> the last one called so
    last: dict[str, tuple[Speaker, int]] = field(default_factory=dict)
    people: set[str] = field(default_factory=set)  # first and last words of persons' full names
    orgs: list[tuple[str, int]] = field(default_factory=list)  # organisations named, with their paragraph
    claims: list[Claim] = field(default_factory=list)
    genders: dict[str, str] = field(default_factory=dict)  # person key -> the pronoun the article uses for them


@dataclass
class _Sentence:
    start: int
    end: int
    paragraph: int
    quote_open: bool  # the sentence begins inside a quotation
    doc: Doc | None = None


def extract(article_id: str, text: str, *, published: str = "", title: str = "", source: str = "") -> list[Claim]:
    """All attributed statements and figures in one article's clean text."""
    sentences = _sentences(text)
    chosen = {i for i, s in enumerate(sentences) if lexicon.is_candidate(text, s.start, s.end)}
    # the sentence before a "he said" is read too: "While stunned, Kimmel riffed. '...,' he said."
    chosen |= {i - 1 for i in chosen
               if i and lexicon.PRONOUN_SPEAKER.search(text, sentences[i].start, sentences[i].end)}
    todo = [s for i, s in enumerate(sentences) if i in chosen]
    for s, doc in zip(todo, nlp.parse([text[s.start : s.end] for s in todo]), strict=True):
        s.doc = doc
    ctx = _Reading()
    for i, sent in enumerate(sentences):
        if sent.doc is not None:
            ctx.people |= {w for e in sent.doc.ents if e.label_ == "PERSON"
                           and len(k := name_key(_strip_name(e.text)).split()) > 1 for w in (k[0], k[-1])}
            ctx.claims += _read_sentence(article_id, text, sentences, i, sent.doc, ctx)
            ctx.orgs += [(_org_name(e), sent.paragraph) for e in sent.doc.ents if _org_subject(e)]
    claims = merge_overlaps(resolve_article(ctx.claims, _names_in_reach(ctx.claims, sentences, text), text))
    for c in claims:
        c.published, c.title, c.source = published, title, source
    return claims


def _names_in_reach(claims: Sequence[Claim], sentences: Sequence[_Sentence], text: str) -> list[str]:
    """Every PERSON the article names, in order, for bare surnames to join.

    Sentences not parsed yet are parsed here only when they hold a bare surname that a speaker
    goes by, so "Kim" can meet both Kims however their sentences were chosen.
    """
    bare = sorted({c.speaker for c in claims if c.kind == "statement" and " " not in c.speaker.strip()
                   and c.speaker[:1].isupper()})
    late = [s for s in sentences if s.doc is None
            and any(re.search(rf"\b{re.escape(b)}\b", text[s.start : s.end]) for b in bare)]
    for s, doc in zip(late, nlp.parse([text[s.start : s.end] for s in late]), strict=True):
        s.doc = doc
    return [_strip_name(e.text) for s in sentences if s.doc is not None for e in s.doc.ents if e.label_ == "PERSON"]


def _read_sentence(article_id: str, text: str, sentences: Sequence[_Sentence], i: int, doc: Doc,
                   ctx: _Reading) -> list[Claim]:
    """The statements and figures of one parsed sentence; updates ``ctx`` for the sentences after it."""
    sent = sentences[i]
    span = _statement_span(sentences, i, text)
    prose = _is_prose(text, span) and not _caption(text, sentences, i)
    quoted = _quoted(sent, text)
    said = [f for f in attributions(doc, quoted) if _resolve(f, ctx, sent.paragraph)] if prose else []
    out = []
    for f in said:
        f.speaker = _known_person(f.speaker, ctx.people)
        _link_description(f, sent.paragraph, ctx.orgs, ctx.claims)
        stance = lexicon.stance_from_wording(f.stance, text[span[0] : span[1]])
        out.append(make_claim(article_id, f.speaker, stance, text[span[0] : span[1]], *span))
        if not f.pronoun and not _COLUMNIST.match(f.speaker.role):
            ctx.last["person" if _person_like(f.speaker) else "body"] = f.speaker, sent.paragraph
            _learn_gender(f, doc, quoted, ctx.genders)
    subject = _person_subject(doc, ctx.people) if prose else None
    if subject is not None and (not said or said[-1].pronoun or not said[-1].speaker.person):
        ctx.last["person"] = subject, sent.paragraph  # "Neville couldn't think ... 'Quote,' he said."
    who = said[0] if said else None
    return out + [_figure_claim(article_id, who, fig, text, sent) for fig in figures(doc, sent.start)]


def _sentences(text: str) -> list[_Sentence]:
    """Sentence spans with their paragraph number and whether a quotation is open where they begin."""
    out: list[_Sentence] = []
    paragraph, open_quote, prev_end = 0, False, 0
    for s, e in nlp.sentence_spans(text):
        if "\n" in text[prev_end:s]:
            paragraph, open_quote = paragraph + 1, False
        out.append(_Sentence(s, e, paragraph, open_quote))
        open_quote ^= _quote_count(text, s, e) % 2 == 1
        prev_end = e
    return out


def _quote_count(text: str, start: int, end: int) -> int:
    return sum(text.count(q, start, end) for q in lexicon.QUOTE_MARKS)


def _quoted(sent: _Sentence, text: str) -> list[bool]:
    """For each character of the sentence: is it inside a quotation?"""
    inside, out = sent.quote_open, []
    for ch in text[sent.start : sent.end]:
        if ch in lexicon.QUOTE_MARKS:
            inside = not inside
            out.append(True)
        else:
            out.append(inside)
    return out


def _statement_span(sentences: Sequence[_Sentence], i: int, text: str) -> tuple[int, int]:
    """The sentence, widened back to where its quotation opened and on to where it closes, and over a
    quotation right after it in the same paragraph that has no speaker of its own (news folds a speaker's
    next quotation in without a new "she said")."""
    first = i
    while sentences[first].quote_open and first > 0 and i - first < MAX_QUOTE_SENTENCES \
            and sentences[first - 1].paragraph == sentences[i].paragraph:
        first -= 1
    last = i
    quotes = _quote_count(text, sentences[i].start, sentences[i].end) > 0
    while last + 1 < len(sentences) and last - i < MAX_QUOTE_SENTENCES \
            and sentences[last + 1].paragraph == sentences[i].paragraph \
            and (sentences[last + 1].quote_open or (last == i and quotes and _all_quoted(sentences[last + 1], text))):
        last += 1  # the rest of the quotation, or a quotation right after with no speaker of its own
    return sentences[first].start, sentences[last].end


def _all_quoted(sent: _Sentence, text: str) -> bool:
    """A sentence that is all quotation: '"I feel very sorry for him."' after '"...," she said.'"""
    return not sent.quote_open and text[sent.start : sent.start + 1] in lexicon.QUOTE_MARKS \
        and not any(ch.isalpha() for ch, q in zip(text[sent.start : sent.end], _quoted(sent, text), strict=True)
                    if not q)


def _resolve(found: _Found, ctx: _Reading, paragraph: int) -> bool:
    """Give a pronoun subject the last named speaker in reach; False when there is none.

    In reach: the same paragraph, or one of the PRONOUN_REACH paragraphs before it, because news
    writing often gives each quotation its own paragraph ("Smith said X.\n\n'Y,' she said.").
    Not a person the article has called by the other pronoun ("she" is not the "he" of before).
    """
    last = ctx.last
    if not found.pronoun:
        prev = last.get("body")
        sp = found.speaker
        if prev and not sp.person and " " not in sp.name and prev[0].name.lower().endswith(" " + sp.name.lower()) \
                and found.definite:
            found.speaker = Speaker(prev[0].name, "", prev[0].role, prev[0].organisation, sp.written)  # "the study"
        return True
    ref = last.get("person" if found.pronoun in lexicon.PERSON_PRONOUNS else "body")
    if ref is None or paragraph - ref[1] > PRONOUN_REACH:
        return False
    if found.pronoun in lexicon.PERSON_PRONOUNS and ctx.genders.setdefault(ref[0].key, found.pronoun) != found.pronoun:
        ref = last.get(found.pronoun)  # the last one called so, if the last person is called the other way
        if ref is None or paragraph - ref[1] > PRONOUN_REACH:
            return False
    sp = ref[0]
    if found.pronoun in lexicon.PERSON_PRONOUNS:
        last[found.pronoun] = ref
    found.speaker = Speaker(sp.name, sp.person, sp.role, sp.organisation, found.pronoun)
    return True


def _learn_gender(found: _Found, doc: Doc, quoted: Sequence[bool], genders: dict[str, str]) -> None:
    """"Smith said she would ...": a named person's own report with he/she as its subject tells
    which pronoun the article uses for them (the first one seen is kept). Not inside a quotation,
    where the speaker is "I" and "he" someone else."""
    if found.verb < 0 or not _person_like(found.speaker):
        return
    for clause in (c for c in doc[found.verb].children if c.dep_ == "ccomp"):
        pronoun = next((t.lower_ for t in clause.children if t.dep_ == "nsubj" and not quoted[t.idx]
                        and t.lower_ in lexicon.PERSON_PRONOUNS), "")
        if pronoun:
            genders.setdefault(found.speaker.key, pronoun)
            return


def _link_description(found: _Found, paragraph: int, orgs: Sequence[tuple[str, int]],
                      earlier: Sequence[Claim]) -> None:
    """A speaker named by a description stands for the one described before it.

    "The governor" is the last speaker whose role is a governor. "The company" (``lexicon.ORG_NOUNS``)
    is an organisation only when one alone is the subject or owner of something ("Acme said",
    "Acme's plant") in the sentences before it, back to PRONOUN_REACH paragraphs: with two in reach
    the description stays as written, since a wrong name is worse than none. (One named in the same
    sentence is more often what the statement is about: "Acme's probe hit the rock, the agency said".)
    """
    sp = found.speaker
    if not found.definite or sp.person or not re.fullmatch(r"[a-z]+(?: [a-z]+)?", sp.name):
        return
    noun = sp.name.split()[-1]
    described = next((c for c in reversed(earlier) if c.kind == "statement" and c.speaker_key != sp.key
                      and _role_noun(c.role) == noun), None)
    if described is not None:
        found.speaker = Speaker(described.speaker, described.person, described.role, described.organisation,
                                sp.written)
        return
    if noun not in lexicon.ORG_NOUNS:
        return
    near = {name_key(n): n for n, at in orgs if paragraph - at <= PRONOUN_REACH}
    if len(near) == 1:
        name = next(iter(near.values()))
        found.speaker = Speaker(name, "", "", name, sp.written)


def _role_noun(role: str) -> str:
    """The noun a role is: "chief executive of Acme" -> executive, "White House official" -> official."""
    words = re.findall(r"[a-z]+", re.split(r",|\b(?:of|in|at|for|with|from|on)\b", role.lower())[0])
    return words[-1] if words else ""


def _org_subject(ent: Span) -> bool:
    """An organisation that does something or owns something here: "Acme said", "Acme's plant"."""
    return ent.label_ == "ORG" and ent.root.dep_ in {"nsubj", "nsubjpass", "poss"}


def _org_name(ent: Span) -> str:
    return _strip_name(re.sub(r"^the\s+", "", ent.text, flags=re.I))


def _is_prose(text: str, span: tuple[int, int]) -> bool:
    """A sentence that ends like one: headlines, captions and link teasers ("More:...") do not.

    A link teaser may end like a sentence, but its label runs into the headline without a space
    ("More:Fain declares victory ...", "Why is crypto crashing?:NFT marketplace ...").
    """
    tail = text[span[0] : span[1]].rstrip()
    return tail.endswith((".", "?", "!", *lexicon.QUOTE_MARKS, "'", "\u2019", ")")) and not _TEASER.search(tail)


def _caption(text: str, sentences: Sequence[_Sentence], i: int) -> bool:
    """A photo caption: a sentence a photo credit ("Jane Roe/AP", "John Doe/AFP/Getty Images") follows,
    at its end or at the start of what comes next in the paragraph. News galleries put the credit
    after each caption; the reporting around them is not the article's."""
    sent = sentences[i]
    if _CREDIT_END.search(text, sent.start, sent.end):
        return True
    nxt = sentences[i + 1] if i + 1 < len(sentences) else None
    return nxt is not None and nxt.paragraph == sent.paragraph and bool(_CREDIT.match(text, nxt.start, nxt.end))


def _person_subject(doc: Doc, people: set[str]) -> Speaker | None:
    """The last person who is the subject of a clause in this sentence: what "he"/"she" refer to next.

    A subject inside what someone is reported to have said ("She said David had ...") is not: the
    next "she" is still the speaker.
    """
    for tok in reversed(doc):
        if tok.dep_ == "nsubj" and (tok.ent_type_ in {"PERSON", "ORG"} or (not tok.ent_type_ and tok.is_title
                                                                           and not tok.is_sent_start)) \
                and not _inside_reported_clause(tok):
            found = _speaker_at(tok)
            if found and not found.pronoun and (speaker := _known_person(found.speaker, people)).person \
                    and (" " in speaker.person or name_key(speaker.person) in people):
                return speaker  # a person the article names in full, not a word NER took for one ("COVID-19")
    return None


def _inside_reported_clause(tok: Token) -> bool:
    """Is the token in the content clause of a reporting verb ("she said [David had ...]")?"""
    while tok.head.i != tok.i:
        if tok.dep_ == "ccomp" and tok.head.lower_ in lexicon.VERB_FORMS:
            return True
        tok = tok.head
    return False


def _known_person(sp: Speaker, people: set[str]) -> Speaker:
    """A one-word name NER took for an organisation or missed ("Ferdinand said", "Cooper, a Democrat")
    is a person when it is the first or last word of a person the article has named in full."""
    if sp.person or " " in sp.name or not sp.name[:1].isupper() or name_key(sp.name) not in people:
        return sp
    organisation = "" if sp.organisation == sp.name else sp.organisation
    return Speaker(sp.name, sp.name, "" if sp.role == sp.name else sp.role, organisation, sp.written)


def _person_like(sp: Speaker) -> bool:
    """A person, or a bare capitalised name NER did not tag ("Lütke wrote")."""
    return bool(sp.person) or (not sp.organisation and sp.written[:1].isupper() and len(sp.written.split()) <= 3
                               and sp.written.split()[0].lower() not in DETERMINERS)


# --- attribution ---------------------------------------------------------------------------------

def attributions(doc: Doc, quoted: Sequence[bool] = ()) -> list[_Found]:
    """The speakers of one parsed sentence, with the stance of the verb that introduces each.

    When one speech verb reports another, the speaker named first keeps the statement: "X stressed
    ..., the embassy said" is X's, "Woodward said North Korea agreed ..." is Woodward's. A pronoun
    inside a subordinate clause ("a threat that he said poses") is never a speaker of its own.
    "According to" counts only when no verb names a speaker.
    """
    by_verb: list[tuple[Token, _Found]] = []
    according: list[_Found] = []
    for tok in doc:
        lemma = lexicon.VERB_FORMS.get(tok.lower_)
        if lemma and _is_speech(tok, lemma, doc, quoted):
            subject = _subject(tok)
            if subject is None and tok.i > 0 and doc[tok.i - 1].ent_type_ == "PERSON":
                subject = doc[tok.i - 1]  # "..., Pepsi's marketing chief Todd Kaplan said." parsed as an appositive
            if tok.i > 0 and doc[tok.i - 1].dep_ == "compound" and doc[tok.i - 1].head.i == tok.i \
                    and _after_quote(doc[tok.i - 1].left_edge) and not tok.lower_.endswith("ing") \
                    and all(t.is_punct for t in doc[tok.i + 1 :]):
                subject = doc[tok.i - 1]  # "..., CNN projects." read as a noun phrase "CNN projects"
            subject = _past_the_subordinate(tok, subject)
            if subject is None and (name := _inverted_name(tok)):
                by_verb.append((tok, _Found(name, _stance(tok, lemma), verb=tok.i)))
                continue
            if subject is None or (quoted and quoted[subject.idx] and (quoted[tok.idx] or subject.i < tok.i)):
                continue  # a subject inside a quotation: the quoted words ('"Iconic," replied one fan'), or
                # the quoted person's own words with their verb
            if subject.dep_ in SUBJECTS and subject.i > tok.i and not _after_quote(tok):
                continue  # "said more than 350,000 soldiers had died": an object, not an inverted subject
            found = _speaker_at(subject)
            if found and found.pronoun and tok.dep_ in {"relcl", "acl", "ccomp"}:
                continue
            if found and found.pronoun in lexicon.BODY_PRONOUNS and lemma in lexicon.NEEDS_CLAUSE:
                continue  # "it promises to be", "they found it hard": rarely a body speaking
            if found:
                found.stance = _stance(tok, lemma)
                found.inherited = subject.head.i != tok.i and not (subject.head.dep_ == "agent"
                                                                   and subject.head.head.i == tok.i)
                found.verb = tok.i
                by_verb.append((tok, found))
        elif (prep := _source_preposition(tok, doc)) is not None:
            if quoted and quoted[tok.idx]:
                continue
            obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
            found = _speaker_at(obj) if obj is not None else None
            if found and not found.pronoun:
                found.stance = "reported"
                according.append(found)
    kept = [f for v, f in by_verb if not any(_outranked(v, f, w, g) for w, g in by_verb)]
    unique: dict[str, _Found] = {}
    for f in kept or according:
        unique.setdefault(f.pronoun or f.speaker.key, f)
    return list(unique.values())


def _inverted_name(verb: Token) -> Speaker | None:
    """ "..., noted Earnest.", "..., said KK Davey, president of ...": a name right after a reporting verb
    that follows what was said, which the parser took for the verb's object or another verb's subject.
    The name runs over its capitalised words and must end the sentence or meet a comma."""
    doc = verb.doc
    if not _after_quote(verb) or verb.i + 1 >= len(doc):
        return None
    start = verb.i + 1
    if doc[start].lower_.rstrip(".") in lexicon.HONORIFICS:
        start += 1
    end = start
    while end < len(doc) and (doc[end].is_title or doc[end].is_upper) and doc[end].is_alpha \
            and doc[end].ent_type_ not in NOT_NAME_LABELS:
        end += 1
    if end == start or (end < len(doc) and doc[end].text not in {",", ".", ";"}):
        return None
    return split_speaker(doc, list(doc[start:end]))


def _past_the_subordinate(verb: Token, subject: Token | None) -> Token | None:
    """ "... as the midterms approach, the director of X told Congress": the parser takes the end of a
    subordinate clause for the subject and the speaker for its appositive. A lowercase subject after a
    conjunction of the verb ("as", "before") with a comma-joined noun after it: that noun is the speaker."""
    if subject is None or subject.ent_type_ or not subject.is_lower \
            or not any(c.dep_ == "mark" and c.i < subject.i for c in verb.children):
        return subject
    after = next((c for c in subject.children if c.dep_ in {"appos", "conj"} and c.i > subject.i
                  and c.nbor(-1).i > subject.i and any(t.text == "," for t in c.doc[subject.i : c.left_edge.i])), None)
    return after if after is not None else subject


def _outranked(verb: Token, found: _Found, other: Token, other_found: _Found) -> bool:
    """Does another speech verb's speaker keep the statement that ``verb`` would give ``found``?

    The speaker named first keeps it ("X stressed ..., the embassy said" is X's), unless the first
    is only a participle borrowing its subject inside the other's content: "Samples did not match,
    suggesting no link, Acme said" is Acme's.
    """
    if other.i < verb.i:
        return _nested(other, other_found, verb, found) or (_nested(verb, found, other, other_found)
                                                             and not other_found.inherited)
    return found.inherited and _nested(other, other_found, verb, found)


def _source_preposition(tok: Token, doc: Doc) -> Token | None:
    """The preposition whose object is a source: "according to X", "per X" (a filing, a report)."""
    if tok.lower_ == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
        return doc[tok.i + 1]
    if tok.lower_ != "per" or tok.dep_ != "prep":
        return None
    obj = next((c for c in tok.children if c.dep_ == "pobj"), None)
    named = obj is not None and (obj.ent_type_ in ORG_LABELS | {"PERSON"} or any(
        c.dep_ in {"det", "poss"} for c in obj.children))
    return tok if named else None  # "per a filing", "per Reuters"; not "per week", "per capita"


def _nested(outer: Token, outer_found: _Found, inner: Token, inner_found: _Found) -> bool:
    """Does the speech verb ``outer`` report, in its content clause, what someone else said with ``inner``?

    "X responded, with Y telling reporters ..." is not nested: Y speaks for X, not inside X's words.
    """
    if not outer.is_ancestor(inner) or inner_found.pronoun or inner_found.speaker.key == outer_found.speaker.key:
        return False
    tok = inner
    while tok.i != outer.i and tok.head.i != tok.i:
        if tok.dep_ in CLAUSES:
            return True
        tok = tok.head
    return False  # Tokens are views made afresh on each access: compare positions, never identity


def _after_quote(tok: Token) -> bool:
    """Does a quotation or a clause end right before this token ('"...," said X', '..., said X')?"""
    before = tok.doc.text[: tok.idx].rstrip(" ;:\u2014-")
    return bool(before) and (before[-1] in lexicon.QUOTE_MARKS or before[-1] == ",")


def _after_comma(tok: Token) -> bool:
    """A reporting clause after what was said: '..., Lütke wrote', '..., the study found'."""
    left = tok.left_edge if tok.left_edge.i < tok.i else tok
    before = tok.doc.text[: left.idx].rstrip()
    return before.endswith((",", ",\"", ",\u201d"))


def _is_speech(verb: Token, lemma: str, doc: Doc, quoted: Sequence[bool]) -> bool:
    """A reporting verb used as one: a verb in the parse, and with something said around it."""
    if verb.dep_ in {"nsubj", "nsubjpass", "dobj", "pobj", "compound", "amod", "attr", "appos", "poss"}:
        return False  # a noun: "the report", "a statement"
    children = {c.dep_ for c in verb.children}
    nxt = doc[verb.i + 1].text if verb.i + 1 < len(doc) else ""
    if any(c.dep_ == "aux" and c.lower_ in lexicon.HYPOTHETICAL for c in verb.children):
        return False  # "would say", "might claim": not something said
    if any(c.dep_ == "mark" and c.lower_ in {"if", "unless"} for c in verb.children):
        return False  # "she would be lying if she said ...": a condition, not something said
    if lemma == "say" and "dobj" in children and not children & CLAUSES and nxt != ":" and not _after_quote(verb):
        return False  # "said a final farewell", "said grace"
    if verb.dep_ == "acl" and not verb.lower_.endswith("ing") and "agent" not in children:
        return False  # "the plan, announced last summer, would ...": what was said, not who said it
    if lemma in lexicon.EVIDENCE and not _source_subject(verb):
        return False  # "the song's influence shows that ...": not a source
    if lemma in lexicon.FINDINGS:  # "the study found that ...", not "people find it hard"
        return nxt == ":" or any(c.dep_ == "ccomp" and (c.i < verb.i or any(m.dep_ == "mark" for m in c.children))
                                 for c in verb.children) or ("dobj" not in children and _after_comma(verb))
    if lemma == "describe":  # "described the claims as baseless"; not "the report describes the process"
        holders = [verb, *(c for c in verb.children if c.dep_ == "dobj")]  # "as" hangs from either
        return any(c.dep_ == "prep" and c.lower_ == "as" for h in holders for c in h.children) \
            or _says_something(verb, quoted)
    if lemma == "continue":  # "continued the "tragic losses"": speech only after the quotation it goes on with
        subject = _subject(verb)
        return nxt == ":" or _closes_quotation(verb) or (subject is not None and _closes_quotation(subject.left_edge))
    said = _says_something(verb, quoted)
    if _says_nothing(verb, lemma, said):
        return False
    if lemma not in lexicon.NEEDS_CLAUSE or verb.dep_ == "parataxis":
        return True
    if lexicon.REPORTING_VERBS[lemma] == "demanded" and "xcomp" in children:
        return True  # "pressed Congress to act"
    return said or nxt == ":" or bool(children & CLAUSES) or "agent" in children \
        or ("dobj" not in children and _after_comma(verb))


def _says_nothing(verb: Token, lemma: str, said: bool) -> bool:
    """A reporting verb with nothing said around it: no clause, quotation of its own, colon, or
    reporting clause after the content (``said``: a quotation is the verb's own)."""
    children = {c.dep_ for c in verb.children}
    nxt = verb.doc[verb.i + 1].text if verb.i + 1 < len(verb.doc) else ""
    content = said or bool(children & CLAUSES) or nxt == ":" or verb.dep_ == "parataxis" \
        or (_after_comma(verb) and bool(children & SUBJECTS)) \
        or any(c.dep_ == "advcl" and c.lower_ in lexicon.VERB_FORMS for c in verb.children)  # "..., saying"
    stance = lexicon.REPORTING_VERBS[lemma]
    if lemma == "say":
        return not (content or children & {"dobj", "xcomp"} or _after_quote(verb))  # "Hulu isn't saying yet"
    if lemma == "tell":  # "the film tells the story of ...": a narrative, not a statement
        return not content and any(c.dep_ == "dobj" and c.lower_ in {"story", "stories", "tale", "tales"}
                                   for c in verb.children)
    if stance in {"denied", "dismissed"}:  # "voters rejected the amendment", "a judge dismissed the suit"
        return not content and not _denies_a_claim(verb)
    if stance == "condemned":  # "the spacecraft slammed into the rock", "after a storm slammed into the coast"
        return not (said or children & (CLAUSES | {"dobj"}) or nxt == ":")
    return False


def _says_something(verb: Token, quoted: Sequence[bool]) -> bool:
    """Is a quotation the verb's own: in its phrase, right before it ('"...," she notes') or right after it?

    A quotation elsewhere in the sentence is someone else's words: "the 'sheer pace' that France boast".
    """
    if not quoted or not any(quoted):
        return False
    doc = verb.doc
    subject_ids = {t.i for c in verb.children if c.dep_ in SUBJECTS for t in c.subtree}
    own = any(quoted[t.idx] for t in verb.subtree if t.i != verb.i and t.i not in subject_ids)
    after = verb.i + 1 < len(doc) and doc[verb.i + 1].text in lexicon.QUOTE_MARKS
    return own or after or _after_quote(verb) or _closes_quotation(verb.left_edge)


def _closes_quotation(tok: Token) -> bool:
    """Does a quotation end right before this token ('"...," she notes', '"...," Ruiz continued')?"""
    before = tok.doc.text[: tok.idx].rstrip()
    return len(before) > 1 and before[-1] in lexicon.QUOTE_MARKS and before[-2] in ",.?!\u2014-"


def _denies_a_claim(verb: Token) -> bool:
    """A denial of something said ("denied the allegations"); no object at all counts too ("X denied")."""
    things = [c for c in verb.children if c.dep_ in {"dobj", "nsubjpass"}]
    return all(t.lower_ in lexicon.DENIED_THINGS for t in things)


def _source_subject(verb: Token) -> bool:
    """Can the subject of "show"/"suggest" be a source: a name, a pronoun, or a study, report, researcher ...?"""
    subject = _subject(verb)
    if subject is None:
        return True
    return bool(subject.ent_type_) or subject.lower_ in lexicon.PERSON_PRONOUNS | lexicon.BODY_PRONOUNS \
        or subject.lower_ in lexicon.SOURCE_NOUNS or subject.text[:1].isupper()


def _subject(verb: Token) -> Token | None:
    """The verb's subject, or that of the verb it hangs from ("..., saying", "and warned").

    A passive reporting verb ("troops were estimated", "he was told") names its speaker only as
    the agent ("... by analysts").
    """
    tok: Token | None = verb
    for _ in range(3):
        if tok is None:
            return None
        agent = next((c for c in tok.children if c.dep_ == "agent"), None)
        if agent is not None:  # "first reported by The Wall Street Journal"
            return next((c for c in agent.children if c.dep_ == "pobj"), None)
        if any(c.dep_ in {"nsubjpass", "auxpass"} for c in tok.children):
            # "Smith was quoted as saying ...": the passive subject of "quoted" is the speaker
            quoted_subject = next((c for c in tok.children if c.dep_ == "nsubjpass"), None)
            return quoted_subject if tok.lower_ == "quoted" and verb.i != tok.i else None
        subject = next((c for c in tok.children if c.dep_ in SUBJECTS), None)
        if subject is not None:
            if subject.lower_ in {"who", "that", "which"} and tok.dep_ == "relcl":
                return _named_by_appositive(tok.head)  # "Smith, who said ..."
            return subject
        if tok.dep_ == "relcl":
            return _named_by_appositive(tok.head)
        if tok.dep_ == "pcomp" and tok.head.dep_ == "prep":  # "After telling delegates ..., she told them"
            tok = tok.head.head
            continue
        if tok.dep_ == "acl" and tok.head.head.i != tok.head.i:  # "issued a statement saying ..."
            tok = tok.head.head
            continue
        tok = tok.head if tok.dep_ in INHERITS and tok.head.i != tok.i else None
    return None


def _named_by_appositive(head: Token) -> Token:
    """"Greg Ramone, a ski friend of Sanderson who testified ...": who testified is the person the
    description is in apposition to, not the description."""
    if head.dep_ == "appos" and head.is_lower and head.head.ent_type_ == "PERSON":
        return head.head
    return head


def _stance(verb: Token, lemma: str) -> str:
    stance = lexicon.REPORTING_VERBS[lemma]
    if any(c.dep_ == "neg" for c in verb.children):
        return "did not confirm" if stance == "confirmed" else "said"
    return stance


def _speaker_at(head: Token) -> _Found | None:
    """The speaker a subject (or 'according to' object) names, or a pronoun left to resolve."""
    low = head.lower_
    if low in lexicon.PERSON_PRONOUNS or low in lexicon.BODY_PRONOUNS:
        return _Found(Speaker("", "", "", "", low), "said", pronoun=low)
    if low in NOT_BODIES or head.like_num or not any(ch.isalpha() for ch in head.text):
        return None
    named = next((c for c in head.children if c.dep_ == "conj" and c.ent_type_ == "PERSON"), None)
    if named is not None and not head.ent_type_ and not any(c.dep_ == "cc" for c in head.children):
        head = named  # "... before payments restart, Randy Lupi, an adviser, said": a comma, not "and"
    tokens = _phrase(head)
    if len(tokens) > MAX_SPEAKER_TOKENS:
        tokens = _short_appositive(head, tokens)
    if not tokens or len(tokens) > MAX_SPEAKER_TOKENS:
        return None
    speaker = split_speaker(head.doc, tokens)
    return _Found(speaker, "said", definite=head.left_edge.lower_ == "the") if speaker else None


def _phrase(head: Token) -> list[Token]:
    """The subject phrase: head with its compounds, possessor, modifiers and appositive, no clauses."""
    drop: set[int] = set()
    for tok in head.subtree:
        if tok.i in drop or tok.i == head.i:
            continue
        inner_punct = tok.dep_ == "punct" and head.left_edge.i < tok.i < head.right_edge.i
        if (tok.dep_ in NOT_SPEAKER and not inner_punct and (tok.head.i == head.i or tok.dep_ in CLAUSE_DEPS)):
            drop.update(t.i for t in tok.subtree)
    kept = [t for t in head.subtree if t.i not in drop]
    while kept and (kept[0].is_punct or kept[0].lower_ in DETERMINERS or kept[0].lower_ in {"and", "but"}):
        kept = kept[1:]
    while kept and (kept[-1].is_punct or (kept[-1].dep_ == "case" and len(kept) == 1)):
        kept = kept[:-1]
    return kept


def _short_appositive(head: Token, tokens: list[Token]) -> list[Token]:
    """A speaker phrase cut to its name and the appositive's own noun: "Dr. Steven Woolf, a professor of
    family medicine and population health at Virginia Commonwealth University" -> "Dr. Steven Woolf, a
    professor". News introduces a source with a long description; its length must not lose the source."""
    drop = {t.i for a in head.children if a.dep_ == "appos"
            for c in a.children if c.dep_ in {"prep", "acl", "conj", "cc"} and c.i > a.i for t in c.subtree}
    kept = [t for t in tokens if t.i not in drop]
    while kept and kept[-1].is_punct:
        kept = kept[:-1]
    return kept


def _text(tokens: Sequence[Token]) -> str:
    """Tokens as the article wrote them ("Asia-Pacific", "Russia's"), gaps closed with one space."""
    out = ""
    for prev, tok in zip([None, *tokens[:-1]], tokens, strict=False):
        if prev is not None and tok.i != prev.i + 1 and not out.endswith(" "):
            out += " "
        out += tok.text_with_ws
    return re.sub(r"\s+", " ", out).strip()


def split_speaker(doc: Doc | Span, tokens: Sequence[Token]) -> Speaker | None:
    """Person, role and organisation of a speaker phrase, by NER ('Acme CEO Maria Lopez')."""
    lo, hi = tokens[0].i, tokens[-1].i + 1
    written = doc.doc[lo:hi].text
    ids = {t.i for t in tokens}  # not the clauses left out: "the committee, who said Smith ..., a body"
    inside = [e for e in doc.doc.ents if any(i in ids for i in range(e.start, e.end))]  # "The Federal Reserve"
    person = next((e for e in inside if e.label_ == "PERSON"), None)
    if person is not None and person.root.dep_ == "poss" and person.root.head.i in {t.i for t in tokens} \
            and person.root.head.is_lower:
        person = None  # "Smith's lawyer", "Smith's campaign website": someone or something of Smith's
    if person is not None and any(t.dep_ == "conj" and _joins_another(t, person, tokens) for t in tokens):
        person = None  # "Smith and Jones", "Congress and President Lyndon Johnson": several speakers, stored
        # as one phrase ("head of sales and marketing", "CEO and president Adam Aron" is one person)
    orgs = [e for e in inside if e.label_ in ORG_LABELS]
    organisation = _strip_name(re.sub(r"^the\s+", "", orgs[0].text, flags=re.I)) if orgs else ""
    if person is None:
        name = re.sub(r"\s*\([^()]*\)?$", "", _text(tokens))  # "Acme Institute (AI)": the acronym is an alias
        if not any(ch.isalpha() for ch in name):
            return None
        return _with_appositive(tokens, orgs, written) or \
            Speaker(name, "", "" if name == organisation else name, organisation, written)
    name = _strip_name(person.text)
    if not re.search(r"\w", name):
        return None
    role_tokens = [t for t in tokens if not (person.start <= t.i < person.end)
                   and t.lower_.rstrip(".") not in lexicon.HONORIFICS]
    if orgs and role_tokens and role_tokens[0].i == orgs[0].start and orgs[0].end <= person.start:
        # "Acme CEO Maria Lopez": the leading organisation is the organisation, not the role
        role_tokens = [t for t in role_tokens if t.i >= orgs[0].end and t.dep_ != "case"]
    role = _text(role_tokens)
    role = re.sub(r"^(?:[,;:]\s*)+|(?:\s*[,;:])+$", "", role).strip()
    role = re.sub(r"^(?:the|a|an)\s+", "", role, flags=re.I)
    return Speaker(name, name, role, organisation, written)


def _joins_another(conj: Token, person: Span, tokens: Sequence[Token]) -> bool:
    """Does this "and" add a second speaker to the person ("Smith and Jones", "the Biden administration
    and Pelosi", "Congress and President X", "the board and X"), rather than a title ("CEO and president X")?"""
    ids = {t.i for t in tokens}
    root = next((t for t in tokens if t.head.i == t.i or t.head.i not in ids), tokens[0])
    in_person = person.start <= conj.i < person.end
    return person.start <= conj.head.i < person.end or (conj.head.i == root.i and not in_person
                                                        and not conj.is_lower) \
        or (in_person and (conj.head.ent_type_ in ORG_LABELS or any(c.dep_ == "det" for c in conj.head.children)))


def _with_appositive(tokens: Sequence[Token], orgs: Sequence[Span], written: str) -> Speaker | None:
    """A capitalised name NER did not tag as a person, then its appositive: "Cooper, a Democrat" is
    Cooper with the role "Democrat", "Acme, the automaker" Acme with the role "automaker"."""
    ids = {t.i for t in tokens}
    root = next((t for t in tokens if t.head.i == t.i or t.head.i not in ids), None)
    appos = next((t for t in tokens if root is not None and t.dep_ == "appos" and t.head.i == root.i
                  and t.i > root.i), None)
    if root is None or appos is None or not root.is_title \
            or not all(t.is_punct for t in tokens if root.i < t.i < appos.left_edge.i):
        return None  # "Center for Studies (CFS)": the appositive must follow the name itself
    core = [t for t in tokens if t.i <= root.i]
    rest = [t for t in tokens if t.i > root.i]
    if not any(t.is_lower and t.is_alpha for t in rest):
        return None  # "Acme Research Institute (ARI)": another name, not a description
    role = re.sub(r"^(?:[,;:]\s*)+|(?:\s*[,;:])+$", "", re.sub(r"^\([^()]*\)?", "", _text(rest))).strip()
    role = re.sub(r"^(?:the|a|an)\s+", "", role, flags=re.I)
    name = _strip_name(_text(core))
    others = [e for e in orgs if e.start > root.i and e.label_ != "NORP"]  # "a Democrat" is no body
    organisation = _strip_name(others[0].text) if others else name if any(e.start <= root.i for e in orgs) else ""
    return Speaker(name, "", role, organisation, written) if role and name else None


def _strip_name(text: str) -> str:
    """A name without a possessive ending or honorific: "Mr. Austin's" -> "Austin"."""
    text = re.sub(r"['\u2019]s?$", "", text.strip())
    words = text.split()
    while len(words) > 1 and words[0].lower().rstrip(".") in lexicon.HONORIFICS:
        words = words[1:]
    return " ".join(words)


def speaker_from_phrase(phrase: str) -> Speaker | None:
    """A speaker phrase given alone (the LLM extractor's "Ola Brekke, the Tervan defence minister")."""
    doc = nlp.parse_one(phrase.strip())
    roots = [t for t in doc if t.dep_ == "ROOT"]
    if not roots:
        return None
    tokens = _phrase(roots[0])
    speaker = split_speaker(doc, tokens) if tokens else None
    if speaker and speaker.person and not speaker.role:
        rest = doc.text.replace(speaker.written, "").strip(" ,")
        rest = re.sub(r"^(?:the|a|an)\s+", "", rest, flags=re.I)
        speaker = Speaker(speaker.name, speaker.person, rest, speaker.organisation, doc.text)
    return speaker


# --- figures -------------------------------------------------------------------------------------

@dataclass
class Figure:
    value: float
    unit: str
    written: str
    label: str
    start: int  # character offset of the figure in the article


def figures(doc: Doc, offset: int = 0) -> list[Figure]:
    """Every number entity that is a quantity (not a year, date, time or ordinal), with its noun."""
    out = []
    for ent in doc.ents:
        if ent.label_ not in FIGURE_LABELS:
            continue
        unit = counted_noun(ent)
        value = number(ent.text)
        if value is None or (ent.label_ == "CARDINAL" and _YEAR.match(ent.text.strip()) and not unit):
            continue
        if not _NUMBER.search(ent.text) and not unit:
            continue  # "one of us": a word number that counts nothing
        out.append(Figure(value, unit, ent.text, ent.label_, offset + ent.start_char))
    return out


def number(text: str) -> float | None:
    """'$300 million' -> 3e8, '9.5%' -> 9.5, '2,000' -> 2000, 'two' -> 2; None when there is none."""
    low = text.lower()
    m = _NUMBER.search(low)
    if m:
        value = float(m.group(0).replace(",", ""))
        rest = low[m.end():]
    else:
        word = next((w for w in re.findall(r"[a-z]+", low) if w in _WORD_NUMBERS), None)
        if word is None:
            return None
        value, rest = _WORD_NUMBERS[word], low[low.index(word) + len(word):]
    scale = next((s for s in re.findall(r"[a-z]+", rest)[:2] if s in _SCALES), None)
    return value * _SCALES[scale] if scale else value


def counted_noun(ent: Span) -> str:
    """The noun a figure counts or describes: '2,000 jobs' -> jobs, 'revenue of $4.2 billion' -> revenue."""
    root = ent.root
    head = root.head
    of = next((c for c in root.children if c.dep_ == "prep" and c.lower_ == "of" and c.i >= ent.end), None)
    if of is not None:  # "4 feet of snow", "90% of flights", "2,000 of its workers"
        obj = next((c for c in of.children if c.dep_ == "pobj"), None)
        if obj is not None and _noun(obj):
            return _noun(obj)
    if root.dep_ in {"nummod", "quantmod", "compound", "amod", "nmod"} and not (ent.start <= head.i < ent.end):
        return _noun(head)
    if root.dep_ == "pobj" and head.dep_ == "prep":
        holder = head.head
        if any(c.dep_ in SUBJECTS for c in holder.children):
            return _noun(next(c for c in holder.children if c.dep_ in SUBJECTS))
        return _noun(holder) if holder.lower_ not in lexicon.VERB_FORMS else ""
    if root.dep_ in {"dobj", "attr", "npadvmod", "appos", "oprd"}:
        if root.dep_ == "appos":
            return _noun(head)
        subject = next((c for c in head.children if c.dep_ in SUBJECTS), None)
        return _noun(subject) if subject is not None else ""
    return ""


def _noun(tok: Token) -> str:
    if not tok.is_alpha or tok.lower_ in NOT_BODIES or tok.lower_ in lexicon.VERB_FORMS or tok.ent_type_ in {
            "DATE", "TIME"}:
        return ""
    return tok.lower_


def _figure_claim(article_id: str, who: _Found | None, fig: Figure, text: str, sent: _Sentence) -> Claim:
    claim = make_claim(article_id, who.speaker if who else None, who.stance if who else "reported",
                       text[sent.start : sent.end], sent.start, sent.end, kind="figure")
    claim.value, claim.unit, claim.figure, claim.measure = fig.value, fig.unit, fig.written, fig.label
    claim.id = f"{article_id}:{sent.start}-{sent.end}-figure-{fig.start}"
    return claim


# --- records -------------------------------------------------------------------------------------

def make_claim(article_id: str, sp: Speaker | None, stance: str, statement: str, start: int, end: int,
               kind: str = "statement") -> Claim:
    """A stored record for a statement (or, with kind="figure", a figure's sentence)."""
    key = sp.key if sp else "unattributed"
    return Claim(id=_claim_id(article_id, start, end, kind, key), article_id=article_id,
                 speaker=sp.name if sp else "unattributed", speaker_key=key, person=sp.person if sp else "",
                 role=sp.role if sp else "", organisation=sp.organisation if sp else "", stance=stance,
                 statement=statement, start=start, end=end, kind=kind, mentions=[sp.written] if sp else [])


def _claim_id(article_id: str, start: int, end: int, kind: str, key: str) -> str:
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]  # stable in every process, unlike hash()
    return f"{article_id}:{start}-{end}-{kind}-{digest}"


def merge_overlaps(claims: list[Claim]) -> list[Claim]:
    """One statement stored once: overlapping statements of one speaker become one record."""
    statements = sorted((c for c in claims if c.kind == "statement"), key=lambda c: (c.speaker_key, c.start, c.end))
    merged: list[Claim] = []
    for c in statements:
        prev = merged[-1] if merged else None
        if prev is not None and prev.speaker_key == c.speaker_key and c.start < prev.end:
            if c.end > prev.end:
                prev.statement = prev.statement + c.statement[prev.end - c.start:]
                prev.end = c.end
            if prev.stance == "said":
                prev.stance = c.stance
            prev.mentions = sorted(set(prev.mentions) | set(c.mentions))
            prev.id = _claim_id(prev.article_id, prev.start, prev.end, "statement", prev.speaker_key)
            continue
        merged.append(c)
    figures_ = [c for c in claims if c.kind == "figure"]
    return sorted(merged + figures_, key=lambda c: (c.start, c.kind != "statement", c.id))


__all__ = ["Claim", "Figure", "Speaker", "attributions", "extract", "figures", "make_claim", "merge_overlaps",
           "name_key", "number", "speaker_from_phrase", "split_speaker"]
