"""Who said what, shaped for the page: statements grouped by speaker, figures grouped by what they count,
and a chart of a figure the articles state differently (value by date, one mark per statement).

Pure functions over ``Claim`` records; ``render_*`` return HTML in which every piece of article text is
escaped. Chart marks are ``<a class="cite">`` links, so a click opens the statement's passage the way an
inline citation [n] does (see ``ui/citations.html``).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from dateutil.parser import parserinfo

from assistant.text import stem
from index.claims import Claim
from index.dates import published_key
from index.store import IndexStore
from ui.render import esc

UNATTRIBUTED = "unattributed"
SPEAKERS_PER_PAGE = 20
STATEMENTS_PER_SPEAKER = 25  # shown when a speaker is expanded; a filter narrows the rest
MAX_CONFLICT_VALUES = 3
CONTEXT_CHARS = 300  # of the paragraph shown around a statement, each side
MAX_FIGURE_CHOICES = 50  # figures offered in the dropdown, most attested first
# Tableau 10: distinct at a glance, readable on light and dark backgrounds.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac")
_CALENDAR = {w.lower() for names in (*parserinfo.WEEKDAYS, *parserinfo.MONTHS) for w in names}
_PROPER = re.compile(r"\b(?:[A-Z]\.){2,}|\b[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*")  # "U.S.", "North Korea"


def anchor(prefix: str, claim: Claim) -> str:
    """A stable HTML id for a claim's passage (claim ids may hold characters ids should not)."""
    return f"{prefix}-{hashlib.sha1(claim.id.encode()).hexdigest()[:10]}"


# --- figures ---------------------------------------------------------------------------------

def figure_key(c: Claim) -> str:
    """What a figure counts: the stem of its unit's head noun, with its kind of number ("" = unknown)."""
    if c.kind != "figure" or not c.unit.strip():
        return ""
    return f"{c.measure}:{stem(c.unit.split()[-1])}"


def _names(c: Claim) -> dict[str, str]:
    """Proper names in a statement (runs of capitalised words not opening a sentence), key -> as written:
    what the figure is about ("North Korea", "Acme")."""
    return dict(_names_in(c.statement, stem(c.unit.split()[-1]) if c.unit.strip() else ""))


@lru_cache(maxsize=200_000)
def _names_in(statement: str, counted: str) -> tuple[tuple[str, str], ...]:
    out: dict[str, str] = {}
    for m in _PROPER.finditer(statement):
        name = re.sub(r"['’]s$", "", m.group(0))
        words = name.lower().split()
        opening = m.start() == 0 or re.search(r"[.!?:]\s*$", statement[: m.start()])
        if (opening and len(words) == 1) or len(name) < 2 or (len(name) < 3 and not name.isupper()):  # "The", "No"
            continue
        if set(words) <= _CALENDAR or stem(words[-1]) == counted:  # "Monday", "Americans" counting americans
            continue
        out.setdefault(name.lower(), name)
    return tuple(out.items())


@dataclass(frozen=True)
class FigureGroup:
    """Figures that count the same thing about the same subject, in date order."""

    key: str  # counted thing + subject
    unit: str  # the unit as most often written
    about: str  # the proper name the statements share
    claims: tuple[Claim, ...]

    @property
    def values(self) -> list[float]:
        return sorted({c.value for c in self.claims})

    @property
    def articles(self) -> int:
        return len({c.article_id for c in self.claims})

    @property
    def unit_stem(self) -> str:
        return self.key.split("|", 1)[0].split(":", 1)[1]

    @property
    def label(self) -> str:
        return f"{self.unit} ({self.about}): {len(self.claims)} statements, {len(self.values)} different figures"


def _date_order(c: Claim) -> tuple[int, str, int]:
    return (published_key(c.published) or 99_999_999, c.article_id, c.start)


def _buckets(claims: Iterable[Claim]) -> dict[tuple[str, str], tuple[str, list[Claim]]]:
    """(counted thing, subject key) -> (subject as written, its figures): "the same counted thing" is the same
    unit stem in statements that name the same subject, so "300 people" in unrelated stories stay apart."""
    out: dict[tuple[str, str], tuple[str, list[Claim]]] = {}
    for c in claims:
        if key := figure_key(c):
            for name_key, name in _names(c).items():
                out.setdefault((key, name_key), (name, []))[1].append(c)
    return out


def _disputed(members: Sequence[Claim]) -> bool:
    """Two or more values, from more than one speaker or article."""
    return len({c.value for c in members}) > 1 and (
        len({c.speaker_key for c in members}) > 1 or len({c.article_id for c in members}) > 1)


def figure_groups(claims: Iterable[Claim], limit: int = 0) -> list[FigureGroup]:
    """Figures stated differently about the same subject, most attested first; a group whose statements all
    belong to a larger group already listed is left out ("troops" about "Korea" inside "North Korea")."""
    return _figure_groups(_buckets(claims), limit)


def _figure_groups(buckets: dict[tuple[str, str], tuple[str, list[Claim]]], limit: int) -> list[FigureGroup]:
    candidates = []
    for (key, name_key), (name, members) in buckets.items():
        if _disputed(members):
            unit = Counter(c.unit for c in members).most_common(1)[0][0]
            candidates.append(FigureGroup(f"{key}|{name_key}", unit, name, tuple(sorted(members, key=_date_order))))
    candidates.sort(key=lambda g: (-g.articles, -len(g.claims), g.unit, g.about))
    chosen: list[FigureGroup] = []
    covered: list[set[str]] = []
    for g in candidates:
        ids = {c.id for c in g.claims}
        if any(ids <= seen for seen in covered):
            continue
        chosen.append(g)
        covered.append(ids)
        if limit and len(chosen) >= limit:
            break
    return chosen


def pick_group(groups: Sequence[FigureGroup], terms: Iterable[str]) -> FigureGroup | None:
    """The group a question is about: the first whose unit stem the question names, else the most attested."""
    wanted = {stem(t) for t in terms}
    named = [g for g in groups if g.unit_stem in wanted]
    ranked = named or list(groups)
    return ranked[0] if ranked else None


def conflicts(claims: Iterable[Claim]) -> dict[str, list[Claim]]:
    """Figure claim id -> other speakers' differing figures for the same counted thing about the same subject."""
    return _conflicts(_buckets(claims))


def _conflicts(buckets: dict[tuple[str, str], tuple[str, list[Claim]]]) -> dict[str, list[Claim]]:
    out: dict[str, dict[str, Claim]] = defaultdict(dict)
    for _name, members in buckets.values():
        if len({m.value for m in members}) < 2:
            continue
        for c in members:
            for other in members:
                if other.value != c.value and other.speaker_key != c.speaker_key:
                    out[c.id].setdefault(other.id, other)
    return {cid: sorted(others.values(), key=_date_order) for cid, others in out.items()}


def short_number(v: float) -> str:
    """12000 -> 12k, 1500000 -> 1.5M: axis labels that fit."""
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= size:
            return f"{v / size:.3g}{suffix}"
    return f"{v:.3g}"


@dataclass
class _Scale:
    """Maps values to pixels, on a log scale when the values span more than 20x."""

    low: float
    high: float
    top: float
    bottom: float
    log: bool = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.low > 0 and self.high / self.low > 20

    def _t(self, v: float) -> float:
        return math.log10(v) if self.log else v

    def y(self, v: float) -> float:
        lo, hi = self._t(self.low), self._t(self.high)
        frac = 0.5 if hi == lo else (self._t(v) - lo) / (hi - lo)
        return self.bottom - frac * (self.bottom - self.top)

    def ticks(self) -> list[float]:
        if self.log:
            first, last = math.floor(math.log10(self.low)), math.ceil(math.log10(self.high))
            return [10.0 ** e for e in range(first, last + 1) if self.low <= 10.0 ** e <= self.high] or [self.low]
        if self.high == self.low:
            return [self.low]
        step = 10 ** math.floor(math.log10((self.high - self.low) / 4))
        step *= next(m for m in (1, 2, 5, 10) if (self.high - self.low) / (step * m) <= 5)
        start = math.ceil(self.low / step) * step
        return [start + i * step for i in range(int((self.high - start) / step) + 1)]


W, H, LEFT, RIGHT, TOP, BOTTOM = 640, 280, 56, 56, 16, 44  # RIGHT leaves room for value labels
UNDATED_BAND = 90  # right of the dated marks, for statements without a date
MARK_GAP, MARK_R = 22, 6  # marks of one date and value sit side by side, never on top of each other


def _x_positions(claims: Sequence[Claim]) -> list[float]:
    """x of each mark: by date (undated at the right edge); equal date and value are spread apart."""
    days = [published_key(c.published) for c in claims]
    ordinals = [date(k // 10000, k // 100 % 100, k % 100).toordinal() if k else 0 for k in days]
    dated = [o for o in ordinals if o]
    lo, hi = (min(dated), max(dated)) if dated else (0, 0)
    span_right = W - RIGHT - (UNDATED_BAND if len(dated) < len(ordinals) else 0)
    xs, seen = [], Counter[tuple[int, float]]()
    for o, c in zip(ordinals, claims, strict=True):
        base = (W - RIGHT - UNDATED_BAND / 2) if not o else LEFT + 20 + (0.5 if hi == lo else (o - lo) / (hi - lo)) * (
            span_right - LEFT - 40)
        n = seen[(o, c.value)]
        seen[(o, c.value)] += 1
        xs.append(base + (n + 1) // 2 * MARK_GAP * (1 if n % 2 else -1))  # 0, +gap, -gap, +2 gap, ...
    return xs


def speaker_colours(claims: Iterable[Claim]) -> dict[str, str]:
    """A colour per speaker, by first appearance; the same speaker keeps it across the chart and legend."""
    colours: dict[str, str] = {}
    for c in claims:
        who = c.speaker_key or c.speaker
        if who not in colours:
            colours[who] = PALETTE[len(colours) % len(PALETTE)]
    return colours


def _who(c: Claim) -> str:
    return c.speaker if c.speaker != UNATTRIBUTED else f"unattributed ({c.source or 'article'})"


def chart_svg(group: FigureGroup, link: Callable[[Claim], str]) -> str:
    """The figures of one group as value-by-date marks; ``link(claim)`` is the id of the passage each opens."""
    claims = group.claims
    colours = speaker_colours(claims)
    scale = _Scale(min(c.value for c in claims), max(c.value for c in claims), TOP + 10, H - BOTTOM - 10)
    xs = _x_positions(claims)
    # The chat's sanitiser drops viewBox; the class carries it too and ui/citations.html restores it.
    parts = [f"<svg class='figchart vb-{W}-{H}' viewBox='0 0 {W} {H}' role='img' aria-label='{esc(group.label)}'>"]
    for t in scale.ticks():
        y = scale.y(t)
        parts.append(f"<line class='grid' x1='{LEFT}' x2='{W - RIGHT}' y1='{y:.1f}' y2='{y:.1f}'/>"
                     f"<text class='tick' x='{LEFT - 6}' y='{y + 4:.1f}' text-anchor='end'>{short_number(t)}</text>")
    dated = sorted({c.published[:10] for c in claims if published_key(c.published)})
    first_x, last_x = LEFT + 20, W - RIGHT - (UNDATED_BAND if len(dated) < len(claims) else 0) - 20
    if len(dated) == 1:
        parts.append(_axis_label((first_x + last_x) / 2, esc(dated[0]), "middle"))
    elif dated:  # the first and last dates, kept inside the frame however large the type
        parts += [_axis_label(first_x - 8, esc(dated[0]), "start"), _axis_label(last_x + 8, esc(dated[-1]), "end")]
    if any(not published_key(c.published) for c in claims):
        parts.append(_axis_label(W - 4, "undated", "end"))
    parts.append(f"<line class='axis' x1='{LEFT}' x2='{W - RIGHT}' y1='{H - BOTTOM}' y2='{H - BOTTOM}'/>")
    ys = [scale.y(c.value) for c in claims]
    for c, x, y in zip(claims, xs, ys, strict=True):
        tip = f"{_who(c)}, {c.source or 'no publisher'}, {c.published or 'undated'}: {c.figure_text}"
        colour = colours[c.speaker_key or c.speaker]
        parts.append(f"<a class='cite figmark' href='#{link(c)}' data-value='{c.value:g}'><title>{esc(tip)}</title>"
                     f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{MARK_R}' fill='{colour}'/></a>")
    parts += [f"<text class='val' x='{x:.1f}' y='{y + 4:.1f}'>{esc(short_number(v))}</text>"
              for x, y, v in _value_labels(xs, ys, [c.value for c in claims])]
    parts.append(f"<text class='tick' x='{LEFT}' y='{H - 6}'>{'log scale' if scale.log else ''}</text></svg>")
    legend = "".join(f"<span class='key'><i style='background:{colour}'></i>{esc(_legend_name(who, claims))}</span>"
                     for who, colour in colours.items())
    return (f"<figure class='figures'><figcaption>{esc(group.label)}, by date "
            f"(click a mark for its passage)</figcaption>{''.join(parts)}<div class='legend'>{legend}</div></figure>")


def _value_labels(xs: Sequence[float], ys: Sequence[float], values: Sequence[float]
                  ) -> list[tuple[float, float, float]]:
    """One value label right of each row of touching marks, where it overlaps no other label."""
    order = sorted(range(len(xs)), key=lambda i: (ys[i], xs[i]))
    rows: list[list[int]] = []
    for i in order:
        if rows and ys[rows[-1][-1]] == ys[i] and xs[i] - xs[rows[-1][-1]] <= MARK_GAP + 1:
            rows[-1].append(i)
        else:
            rows.append([i])
    out: list[tuple[float, float, float]] = []
    for row in rows:
        x, y = xs[row[-1]] + MARK_R + 4, ys[row[-1]]
        if not any(abs(x - lx) < 40 and abs(y - ly) < 12 for lx, ly, _ in out):
            out.append((x, y, values[row[-1]]))
    return out


def _axis_label(x: float, text: str, anchor: str) -> str:
    return f"<text class='tick' x='{x:.1f}' y='{H - BOTTOM + 18}' text-anchor='{anchor}'>{text}</text>"


def _legend_name(who: str, claims: Sequence[Claim]) -> str:
    return next(_who(c) for c in claims if (c.speaker_key or c.speaker) == who)


# --- speakers --------------------------------------------------------------------------------

@dataclass
class SpeakerGroup:
    """One speaker's statements in date order, with the role and organisation most often given."""

    key: str
    speaker: str
    role: str
    organisation: str
    claims: list[Claim]

    @property
    def stances(self) -> list[tuple[str, int]]:
        return Counter(c.stance for c in self.claims if c.stance).most_common()


def _most_common(values: Iterable[str]) -> str:
    counted = Counter(v for v in values if v)
    return counted.most_common(1)[0][0] if counted else ""


def speaker_groups(claims: Iterable[Claim]) -> list[SpeakerGroup]:
    """Statements grouped by speaker, the most quoted first; unattributed statements last."""
    by_key: dict[str, list[Claim]] = defaultdict(list)
    for c in claims:
        by_key[c.speaker_key or c.speaker].append(c)
    groups = [SpeakerGroup(key, _most_common(c.speaker for c in members) or key,
                           _most_common(c.role for c in members), _most_common(c.organisation for c in members),
                           sorted(members, key=_date_order)) for key, members in by_key.items()]
    return sorted(groups, key=lambda g: (g.key == UNATTRIBUTED, -len(g.claims), g.speaker.lower()))


def page_of(groups: Sequence[SpeakerGroup], page: int, size: int = SPEAKERS_PER_PAGE) -> tuple[list[SpeakerGroup], int]:
    """One page of groups (pages count from 1, clamped to the range) and the number of pages."""
    pages = max(1, math.ceil(len(groups) / size))
    page = min(max(1, page), pages)
    return list(groups[(page - 1) * size: page * size]), pages


@dataclass
class Shaped:
    """The statements one set of filters keeps, grouped: computed once, then every page turn reuses it."""

    claims: list[Claim]
    speakers: list[SpeakerGroup]
    differing: dict[str, list[Claim]]
    figures: list[FigureGroup]


def shape(claims: list[Claim], differing: dict[str, list[Claim]] | None = None) -> Shaped:
    """Group filtered statements; ``differing`` (conflicts over every statement) keeps a figure marked as
    disputed when the filters hide the speakers who dispute it."""
    buckets = _buckets(claims)  # both the conflicts and the figure groups are read off it
    return Shaped(claims, speaker_groups(claims), _conflicts(buckets) if differing is None else differing,
                  _figure_groups(buckets, MAX_FIGURE_CHOICES))


def shown_claims(groups: Iterable[SpeakerGroup]) -> list[Claim]:
    """The statements a page shows (the first ones of a very prolific speaker)."""
    return [c for g in groups for c in g.claims[:STATEMENTS_PER_SPEAKER]]


# --- HTML ------------------------------------------------------------------------------------

Passages = dict[str, tuple[str, int]]  # claim id -> (the passage that holds it, the passage's start)


def _in_context(c: Claim, passages: Passages) -> str:
    text, offset = passages.get(c.id, (c.statement, c.start))
    s, e = c.start - offset, c.end - offset
    if 0 <= s < e <= len(text):
        return esc(text[:s]) + f"<mark>{esc(text[s:e])}</mark>" + esc(text[e:])
    return f"<mark>{esc(c.statement)}</mark>"


def statement_html(c: Claim, passages: Passages, ident: str, differs: Sequence[Claim] = ()) -> str:
    """One statement: date, stance, figure, conflict mark; opens to its passage with the words highlighted."""
    figure = f" <span class='figure'>{esc(c.figure_text)}</span>" if c.kind == "figure" else ""
    conflict = ""
    if differs:
        others = "; ".join(f"{o.figure_text} ({_who(o)}, {o.published or 'undated'})"
                           for o in differs[:MAX_CONFLICT_VALUES])
        more = f" and {len(differs) - MAX_CONFLICT_VALUES} more" if len(differs) > MAX_CONFLICT_VALUES else ""
        conflict = (f"<span class='conflict' title='{esc('Others say: ' + others + more)}'>"
                    f"differs: {esc(others)}{more}</span>")
    where = ", ".join(x for x in (c.source, c.published) if x) or "undated"
    return (f"<details class='src claim' id='{ident}'><summary><span class='when'>{esc(where)}</span> "
            f"<span class='stance'>{esc(c.stance)}</span>{figure}{conflict}"
            f"<div class='quote'>{esc(c.statement)}</div></summary>"
            f"<blockquote>{_in_context(c, passages)}</blockquote>"
            f"<div class='loc'>{esc(c.title or c.article_id)} ({esc(c.article_id)}), characters {c.start}–{c.end}"
            f"</div></details>")


def speakers_html(groups: Sequence[SpeakerGroup], passages: Passages, differing: dict[str, list[Claim]],
                  page: int, pages: int, total: int) -> str:
    """The grouped view: one row per speaker (name, role, organisation, count, stances), opening to statements."""
    if not groups:
        return "<div class='claims empty'>No statements match.</div>"
    rows = []
    for g in groups:
        who = " · ".join(esc(x) for x in (g.role, g.organisation) if x and x != g.speaker)
        stances = "".join(f"<span class='chip'>{esc(s)} {n}</span>" for s, n in g.stances)
        flagged = sum(1 for c in g.claims if c.id in differing)
        badge = f"<span class='conflict'>{flagged} differing figure{'s' * (flagged != 1)}</span>" if flagged else ""
        shown = g.claims[:STATEMENTS_PER_SPEAKER]
        items = "".join(statement_html(c, passages, anchor("claim", c), differing.get(c.id, ())) for c in shown)
        more = (f"<div class='more'>First {len(shown)} of {len(g.claims)} statements; type the name in Speaker "
                f"or pick a stance to narrow.</div>" if len(g.claims) > len(shown) else "")
        rows.append(f"<details class='speaker'><summary><span class='name'>{esc(g.speaker)}</span>"
                    f"<span class='count'>{len(g.claims)}</span><div class='role'>{who}</div>"
                    f"<div class='chips'>{stances}{badge}</div></summary>"
                    f"<div class='statements'>{items}{more}</div></details>")
    head = (f"<div class='pager-note'>{total} speaker{'s' * (total != 1)}; page {page} of {pages}. "
            f"Click a speaker for their statements in date order.</div>")
    return f"<div class='speakers'>{head}{''.join(rows)}</div>"


def mark_ids(group: FigureGroup, prefix: str) -> dict[str, str]:
    """Claim id -> the HTML id of its passage, one per chart mark."""
    return {c.id: f"{prefix}-{i}" for i, c in enumerate(group.claims)}


def group_chart(group: FigureGroup, prefix: str) -> str:
    ids = mark_ids(group, prefix)
    return chart_svg(group, lambda c: ids[c.id])


def statements_block(group: FigureGroup, passages: Passages, prefix: str) -> str:
    """The statements a chart's marks open, closed until a mark (or the summary) is clicked."""
    ids = mark_ids(group, prefix)
    items = "".join(statement_html(c, passages, ids[c.id]) for c in group.claims)
    return (f"<details class='figure-list'><summary>{esc(group.unit)}: the {len(group.claims)} statements "
            f"charted</summary>{items}</details>")


def figures_html(group: FigureGroup | None, passages: Passages, prefix: str = "fig") -> str:
    """A chart of one figure group and, below it, the statements its marks open."""
    if group is None:
        return "<div class='figures empty'>No figure is stated differently by the statements shown.</div>"
    return f"<div class='figure-view'>{group_chart(group, prefix)}{statements_block(group, passages, prefix)}</div>"


def passage_around(text: str, start: int, end: int, reach: int = CONTEXT_CHARS) -> tuple[str, int]:
    """The paragraph around ``start..end`` (at most ``reach`` characters each side, cut at a space), and its start."""
    para_start = text.rfind("\n", 0, start) + 1
    para_end = text.find("\n", end)
    limit = len(text) if para_end < 0 else para_end
    lo, hi = max(para_start, start - reach), min(limit, end + reach)
    if lo > para_start and (cut := text.find(" ", lo, start)) >= 0:
        lo = cut + 1
    if hi < limit and (cut := text.rfind(" ", end, hi)) > end:
        hi = cut
    return text[lo:hi], lo


def passages_for(store: IndexStore, claims: Sequence[Claim]) -> Passages:
    """The passage around each claim, from its article's clean text, read by article id in one query a page."""
    ids = sorted({c.article_id for c in claims})
    texts: dict[str, str] = {}
    for i in range(0, len(ids), 200):
        got = store.articles_col.get(ids=ids[i:i + 200], include=["documents"])
        texts.update(zip(got["ids"], [d or "" for d in got["documents"] or []], strict=True))
    return {c.id: passage_around(texts[c.article_id], c.start, c.end) for c in claims if c.article_id in texts}


def answer_group(claims: Iterable[Claim], article_ids: Iterable[str], terms: Iterable[str]) -> FigureGroup | None:
    """The figure an answer is about, among the articles it drew on: stated differently, named by the question.

    Retrieval already kept these articles to the question's subject, so the counted thing (unit stem) alone
    groups them here.
    """
    among = set(article_ids)
    by_unit: dict[str, list[Claim]] = defaultdict(list)
    for c in claims:
        if c.article_id in among and (key := figure_key(c)):
            by_unit[key].append(c)
    groups = [FigureGroup(f"{key}|", Counter(c.unit for c in members).most_common(1)[0][0], "these articles",
                          tuple(sorted(members, key=_date_order)))
              for key, members in by_unit.items() if _disputed(members)]
    groups.sort(key=lambda g: (-g.articles, -len(g.claims), g.unit))
    return pick_group(groups, terms)
