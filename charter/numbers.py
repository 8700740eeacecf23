"""Find the numbers typed by hand in the prose and tie each to the count it states.

``find_claims(sentence, lexicon)`` reads one sentence and returns the numbers
that state a count the data knows (``Claim``: the number, the count name, where
it is). ``check_markdown`` and ``check_paragraphs`` turn the claims of a whole
file (or of the paragraphs of a DOCX) into problems: a number that contradicts
the data is an error, one that matches is a warning suggesting the placeholder.
The rules are documented in docs/number-check.md; they are deliberately
conservative: a number is a claim only when both the thing it counts (studies,
records, full texts, databases, themes, countries) and what singles them out
(included, a theme, a design, a country, a keyword, a PRISMA step) are named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

from . import limits
from .counts import Count
from .model import Location, Problem
from .wellformed import comment_spans
from .wording import counted

# ------------------------------------------------------------------ vocabulary

_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}

# Nouns a count of the review counts, by what they count.
_NOUNS = {
    "study": "study", "paper": "study", "article": "study", "publication": "study", "trial": "study",
    "review": "study", "source": "study", "document": "study",
    "report": "report",
    "record": "record", "hit": "record", "citation": "record", "reference": "record", "title": "record",
    "abstract": "record", "result": "record",
    "duplicate": "duplicate",
    "database": "database",
    "theme": "theme", "topic": "theme",
    "country": "country", "nation": "country",
}
# Words between a number and its noun that do not change what is counted.
_MODIFIERS = set("""
a an the all of these those more other further additional relevant major main topical broad key original
empirical eligible potentially potential peer peer-reviewed reviewed published primary selected remaining
distinct different separate unique electronic bibliographic academic scientific research studie
english nordic scandinavian norwegian international individual single new unique overarching central
final total overall identified retrieved included distinct databases' relevant, so-called
""".split())
# Words that make a number the subject of a clause whose noun is understood ("nine have …").
_VERBS = set("""
are were is was be been being have has had use used uses using employ employed focus focused focuses
report reported reports come came originate originated stem stemmed take took adopt adopted apply applied
concern concerned address addressed deal dealt belong belonged fall fell fit fitted qualify qualified
met meet comprise comprised represent represented describe described examine examined explore explored
investigate investigated study studied involve involved target targeted present presented include included
exclude excluded remain remained do did could can would will may might should must appear appeared
look looked assess assessed evaluate evaluated measure measured show showed find found discuss discussed
concentrate concentrated deploy deployed rely relied draw drew cover covered address
in from on with within by at as to for out into about among after before following during across over
through via
""".split())
# A number right after one of these words is a label, not a count: "Table 2", "p. 6", "Author 1".
_LABEL_WORDS = set("""
p pp page pages table tables figure figures fig figs appendix appendices section sections chapter chapters
version stage phase step steps author authors wave waves study studies model models grade level type
item items question questions hypothesis aim aims criterion box issue vol volume no number nr part
time session week day month year years age aged ages cohort round trial arm group line lines paragraph
reviewer rater coder participant interview informant case site patient respondent ref footnote note
""".split())
# Ranges and ratios: "2 to 5", "one in five".
_RANGE_WORDS = {"to", "in", "out", "and", "or", "per"}

_INCLUDED_RE = re.compile(
    r"\binclu(?:ded|sion|de|des|ding)\b|\bmet the\b|\bmeeting the\b|\bthis (?:scoping |systematic |present )?"
    r"(?:review|scope)\b|\bour (?:scoping |systematic )?review\b|\bthe (?:present|current) review\b"
    r"|\b(?:base|basis) (?:for|of) (?:the|this|our) (?:review|scope|synthesis)\b|\bthe (?:scoping )?review\b|\bin the review\b|\bfor the (?:review|scope)\b|\bin this scope\b"
    r"|\beligibility criteri|(?<!potentially )\beligible\b|\bselection of\b|\bwere reviewed\b|\breviewed carefully\b|\bfinal (?:sample|set|selection)\b"
    r"|\bwe (?:reviewed|mapped|analy[sz]ed|synthesi[sz]ed|charted)\b", re.IGNORECASE)
# Words that put a number in a cited clause back into this review ("We included 29 studies [@a; @b]").
_OWN_REVIEW_RE = re.compile(r"\b(?:this|our|the present|the current) (?:scoping |systematic )?(?:review|scope)\b"
                            r"|\bwe included\b|\binclusion criteria\b|\bmet the (?:inclusion|eligibility)", re.I)
_STEP_RES = (
    ("excluded", re.compile(r"\bexclu(?:ded|sion|de|ding)\b|\bremoved\b|\bdiscarded\b|\brejected\b"
                            r"|\b(?:did|do|does) not (?:meet|fulfil|fulfill|satisfy)\b|\bfailed to (?:meet|fulfil)", re.I)),
    ("notretrieved", re.compile(r"\bnot (?:be )?(?:retrieved|obtained|found|available)\b|\bunavailable\b", re.I)),
    ("sought", re.compile(r"\bsought\b|\brequested\b", re.I)),
    ("assessed", re.compile(r"\bassessed\b|\beligibility\b(?! criteri)|\bread in full\b|\bfull(?:-| )text review\b",
                            re.I)),
    ("screened", re.compile(r"\bscreened\b|\bscreening\b|\bafter (?:de-?duplication|remov(?:al|ing) (?:of )?"
                            r"(?:the )?duplicates|duplicates were removed)", re.I)),
    ("identified", re.compile(r"\bidentified\b|\bretrieved\b|\byielded\b|\byield\b|\breturned\b|\blocated\b"
                              r"|\bfound\b|\bobtained\b|\bgenerated\b|\bproduced\b|\bsearch(?:es)?\b|\bhits?\b",
                              re.I)),
)
_SEARCH_RE = re.compile(r"\bsearch|\bdatabase|\bidentif|\bretriev|\byield|\bfound\b|\breturned\b|\blocated\b"
                        r"|\bobtained\b|\bscreen|\bduplicate|\bendnote\b|\bexclud|\bremov|\bhits?\b", re.I)
_FULLTEXT_RE = re.compile(r"\bfull[- ]?texts?\b|\bin full\b", re.I)
_KEYWORD_RE = re.compile(r"\bkey ?words?\b|\bsearch terms?\b|\bmesh terms?\b", re.I)
# A sentence that refers to the previous one's subject ("Of these, 12 …") inherits its citation.
_ANAPHOR_RE = re.compile(r"^\W*(?:of|among|in) (?:these|them|those|which|this sample|this group)\b", re.I)
_CITATION_RE = re.compile(
    r"\[[^\[\]]*@[A-Za-z0-9_][^\[\]]*\]"  # [@smith2020; @lee2019]
    r"|(?<![\w@.\-])@(?!(?:tbl|fig|sec|eq|lst)-)[A-Za-z0-9_][\w:.#$%&\-+?<>~/]*"  # @smith2020 found
    r"|\([^()]*?[A-Z][^()]*?(?:19|20)\d\d[a-z]?\)"  # (Smith et al., 2017)
    r"|\b[A-Z][A-Za-z'\-]+(?: et al\.?| and [A-Z][A-Za-z'\-]+)? \((?:19|20)\d\d[a-z]?\)"  # Smith (2017)
    r"|\b[A-Z][A-Za-z'\-]+ (?:et al\.|and colleagues\b|and co-workers\b)"  # Smith et al. found
)
_STATISTICS_RE = re.compile(r"\b(?:OR|RR|HR|CI|SD|SE|ICC)\b|\b(?:[Kk]appa|[Mm]ean|[Mm]edian|odds ratio)\b|κ"
                            r"|\bp ?[<=>≤]")
_COMPLEMENT_RE = re.compile(r"(?:\ball but|\bexcept(?: for)?|\bapart from|\bother than|\bexcluding)\W*$", re.I)
_COUNTRY_ALIASES = {
    "usa": ("USA", "US", "U.S.", "U.S.A.", "United States", "America"),
    "uk": ("UK", "U.K.", "United Kingdom", "Britain"),
    "netherlands": ("Netherlands", "Holland"),
}


def _stem(word: str) -> str:
    """Crude singular, lower case, hyphens as spaces: "Reviews" -> "review", "full-texts" -> "full text"."""
    word = word.lower().replace("’", "'")
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _norm(text: str) -> str:
    """Lower-case words, singular, separated by single spaces (for phrase matching)."""
    return " ".join(_stem(w) for w in re.findall(r"[A-Za-z0-9]+", text))


@dataclass(frozen=True)
class Phrase:
    """A phrase that singles out a count: matching ``phrase`` (normalised) points to ``count``."""

    phrase: str  # normalised phrase (see _norm), or a case-sensitive regex for countries
    kind: str  # orientation, theme, subtheme, country, country_group, keyword, database
    count: str


@dataclass(frozen=True)
class Lexicon:
    """What the number check knows of the review: its counts and the words that name them."""

    counts: Mapping[str, Count]
    terms: tuple[Phrase, ...]
    countries: tuple[tuple[str, str, str], ...]  # (country as written, count name, group count name or "")
    group_members: Mapping[str, tuple[str, ...]]  # "country_group.<key>" -> its countries
    label_words: frozenset[str]  # words of the design labels ("literature", "naturalistic", …)

    @classmethod
    def from_counts(cls, counts: Mapping[str, Count],
                    country_groups: Mapping[str, Iterable[str]] | None = None) -> "Lexicon":
        """Read the words that name each count off the count names and meanings.

        ``country_groups``: group key -> member countries (review.yaml), to read "two (Malaysia and China)".
        """
        terms: list[Phrase] = []
        countries: list[tuple[str, str, str]] = []
        groups: dict[str, str] = {}
        for name, count in counts.items():
            kind, _, key = name.partition(".")
            if kind == "orientation" and key != "not_reported":  # "not reported" names no design
                label = re.sub(r"^studies with an? (.*) design$", r"\1", count.meaning)
                for phrase in {_norm(key), _norm(label)}:  # "case study", "naturalistic case study"
                    if phrase not in ("study", "paper", "article"):
                        terms.append(Phrase(phrase, "orientation", name))
            elif kind == "theme":
                label = re.sub(r"^studies in theme \([^)]*\) ", "", count.meaning)
                terms.append(Phrase(_norm(label), "theme", name))
                terms.append(Phrase(f"theme {key.lower()}", "theme", name))
                terms.append(Phrase(f"topic {key.lower()}", "theme", name))
                terms.append(Phrase(f"({key.lower()})", "theme", name))
            elif kind == "subtheme":
                label = re.sub(r"^studies in sub-theme ", "", count.meaning)
                terms.append(Phrase(_norm(label), "subtheme", name))
            elif kind == "country_group":
                label = re.sub(r"^studies from (.*) countries$", r"\1", count.meaning)
                terms.append(Phrase(_norm(label), "country_group", name))
                groups[name] = label
            elif kind == "keyword":
                label = re.sub(r'^studies with "(.*)" among their keywords$', r"\1", count.meaning)
                terms.append(Phrase(_norm(label), "keyword", name))
            elif kind == "prisma" and key.startswith("database."):
                terms.append(Phrase(_norm(count.meaning.removeprefix("records from ")), "database", name))
        theme_order = [n for n in counts if n.startswith("theme.")]
        for i, name in enumerate(theme_order):
            for ordinal in ("first second third fourth fifth sixth".split()[i:i + 1]):
                for noun in ("theme", "topic"):
                    terms.append(Phrase(f"{ordinal} {noun}", "theme", name))
        for name, count in counts.items():
            if name.startswith("country.") and count.meaning.startswith("studies from "):
                country = count.meaning.removeprefix("studies from ")
                countries.append((country, name, ""))
        members = {f"country_group.{k}": tuple(v) for k, v in (country_groups or {}).items()}
        words = frozenset(w for t in terms if t.kind == "orientation" for w in t.phrase.split())
        return cls(dict(counts), tuple(terms), tuple(countries), members, words)

    def country_names(self, country: str) -> tuple[str, ...]:
        return _COUNTRY_ALIASES.get(country.lower(), (country,))


# ------------------------------------------------------------------- the claims


@dataclass(frozen=True)
class Claim:
    """A number written in the text that states a count of the data."""

    number: int
    count: str  # count name, e.g. "theme.a"
    start: int  # offsets of the number in the analysed text
    end: int
    written: str  # as written: "Twenty-eight", "2,819"
    quote: str  # the words that make it a claim: "Twenty-eight papers … inclusion"


@dataclass(frozen=True)
class _Token:
    kind: str  # num, ph (placeholder), word, punct
    text: str
    start: int
    end: int
    value: int | None = None


_TOKEN_RE = re.compile(
    r"(?P<ph>\{\{[^{}]*\}\})"
    r"|(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"|(?P<word>[A-Za-z][A-Za-z'’]*(?:-[A-Za-z][A-Za-z'’]*)*)"
    r"|(?P<punct>[^\sA-Za-z0-9])"
)


def word_value(word: str) -> int | None:
    """The value of a number written in words: "Twenty-nine" -> 29, "three" -> 3, else None."""
    parts = word.lower().split("-")
    if len(parts) == 1:
        return _UNITS.get(parts[0], _TENS.get(parts[0]))
    if len(parts) == 2 and parts[0] in _TENS and parts[1] in _UNITS and 0 < _UNITS[parts[1]] < 10:
        return _TENS[parts[0]] + _UNITS[parts[1]]
    return None


def _tokens(text: str) -> list[_Token]:
    tokens = []
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup
        value = None
        if kind == "num":
            # a number of more digits than any count (charter.limits.COUNT_MAX) is not a count: never int() it
            value = None if "." in m.group() or len(m.group()) > 20 else int(m.group().replace(",", ""))
            if value is None:
                kind = "decimal"
        elif kind == "word":
            value = word_value(m.group())
            if value is not None and value > 0:
                kind = "num"
        tokens.append(_Token(kind, m.group(), m.start(), m.end(), value))
    return tokens


def _is_number(token: _Token) -> bool:
    return token.kind in ("num", "ph", "decimal")


def _excluded(tokens: list[_Token], i: int, text: str, depth: int = 0) -> bool:
    """True when the number at i is not a count: year, percentage, range, label, part of a compound."""
    token = tokens[i]
    prev = tokens[i - 1] if i > 0 else None
    prev2 = tokens[i - 2] if i > 1 else None
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    nxt2 = tokens[i + 2] if i + 2 < len(tokens) else None
    if token.text.isdigit() and len(token.text) == 4 and 1800 <= int(token.text) <= 2099:
        if not (nxt and nxt.kind == "word" and _NOUNS.get(_stem(nxt.text)) in ("record", "study")):
            return True  # a year
    if token.text[0].isdigit() and token.start > 0 and text[token.start - 1] in "-–/.:":
        return True  # "2014-2015", "1/2", "3.2"
    if nxt and nxt.start == token.end and nxt.text in ("%", "-", "–", "/", "th", "st", "nd", "rd", "°"):
        return True  # 20%, 12-month, 2–5, 1/3, ordinals
    if nxt and nxt.kind == "word" and token.kind == "num" and nxt.start == token.end:
        return True  # 3rd, 12th, 10x
    if nxt and nxt.kind == "word" and nxt.text.lower() in ("percent", "per", "percentage", "times"):
        return True
    if "-" in token.text:  # "two-year", "one-to-one" are adjectives (compound number words are whole tokens)
        return word_value(token.text) is None
    if prev and prev.kind == "word" and prev.text.lower().rstrip(".") in _LABEL_WORDS:
        return True
    if prev and prev.text == "." and prev2 and prev2.text.lower() in ("p", "pp", "no", "vol", "fig"):
        return True
    if prev and prev.text in ("#", "§", "=", "<", ">", "≤", "≥", "~", "≈", "±", "+", "×", "^") and \
            not _n_equals(tokens, i):
        return True
    if prev and prev.text in ("(", "[") and nxt and nxt.text in (")", "]"):
        if not (prev2 and prev2.kind == "word" and _NOUNS.get(_stem(prev2.text))):
            return True  # an enumeration "(1)"
    if nxt and nxt.text == ")" and not (prev and prev.text == "("):
        if prev is None or prev.text in (",", ";", ":", ".") or (prev.kind == "word" and prev.text.lower() in
                                                                 ("and", "or")):
            return True  # a list marker "1)"
    if nxt and nxt.kind == "word" and nxt.text.lower() in _RANGE_WORDS and nxt2 and _is_number(nxt2):
        if nxt.text.lower() != "and" or (prev and prev.kind == "word" and prev.text.lower() == "between"):
            return True  # "2 to 5", "one in five", "between 2 and 5"
    if prev and prev.kind == "word" and prev.text.lower() in _RANGE_WORDS and prev2 and _is_number(prev2):
        if prev.text.lower() != "and" or _excluded_before(tokens, i - 2, text, depth + 1):
            return True  # the second number of a range; "Author 3 and 4"
    if prev and prev.text in (",",) and prev2 and prev2.kind == "num" and _excluded_before(tokens, i - 2, text, depth + 1):
        if prev2.end == prev.start:
            return True  # "Tables 2, 3"
    if token.kind == "num" and token.text.lower() == "one":
        if nxt and nxt.kind == "word" and nxt.text.lower() in ("another", "of", "can", "could", "may", "might",
                                                               "would", "should", "must", "way", "hand", "or"):
            return True  # pronoun
        if prev and prev.kind == "word" and prev.text.lower() in ("no", "any", "every", "each", "the", "this",
                                                                  "that", "which", "someone"):
            return True
        if prev and prev.kind == "word" and prev2 and prev2.text.lower() in ("a", "an", "the", "this", "that"):
            return True  # "a quantitative one"
    return False


def _excluded_before(tokens: list[_Token], j: int, text: str, depth: int = 0) -> bool:
    # a list of numbers "1, 2, 3, …" is followed back one number at a time; past 50 it is no reference list
    # ("Tables 2, 3"), and thousands of them would exhaust Python's recursion
    return depth < 50 and tokens[j].kind == "num" and _excluded(tokens, j, text, depth)


def _n_equals(tokens: list[_Token], i: int) -> bool:
    """True for "(N = 29)" / "(n = 9)": a count whose noun comes before the parenthesis."""
    return (i >= 2 and tokens[i - 1].text == "=" and tokens[i - 2].kind == "word"
            and tokens[i - 2].text.lower() in ("n", "k"))


@dataclass(frozen=True)
class _Noun:
    category: str  # study, report, record, duplicate, fulltext, database, theme, country, implicit, guard, of
    start: int  # offset where the noun phrase ends (for the quote)
    end: int


def _noun_after(tokens: list[_Token], i: int, skip: frozenset[str] = frozenset()) -> _Noun:
    """What the number at i counts, from the words right after it."""
    end = tokens[i].end
    j = i + 1
    steps = 0
    while j < len(tokens) and steps < 6:
        t = tokens[j]
        low = t.text.lower()
        if t.kind == "word":
            stem = _stem(t.text)
            if stem in ("full", "full text") or low.startswith("full-text") or low.startswith("full-length"):
                return _Noun("fulltext", end, _phrase_end(tokens, j))
            if stem == "text" and j > i + 1 and tokens[j - 1].text.lower() == "full":
                return _Noun("fulltext", end, t.end)
            if stem in ("sub-theme", "subtheme", "sub theme") or low.startswith("sub-"):
                return _Noun("guard", end, t.end)
            if stem in _NOUNS:
                return _Noun(_NOUNS[stem], end, t.end)
            if low == "of" and steps == 0:
                return _Noun("of", end, t.end)
            if low in _VERBS and steps == 0:
                return _Noun("implicit", end, end)
            if stem in ("design", "approach", "orientation", "methodology", "framework") and steps > 0:
                return _Noun("implicit", end, end)  # "13 a quantitative design"
            if low in _MODIFIERS or _stem(low) in skip:
                j += 1
                steps += 1
                continue
            if steps == 0 and low in ("and", "or", "but", "while", "whereas", "which", "that", "who"):
                return _Noun("implicit", end, end)
            return _Noun("guard", end, t.end)
        if t.kind == "punct":
            if t.text in ("(", ",", ";", ".", ":", ")", "—", "–", "-", "!", "?", "]", "[") and steps == 0:
                return _Noun("implicit", end, end)
            if t.text in ("'", "’", "\"", "“", "”", "*"):
                j += 1
                continue
            return _Noun("implicit", end, end)
        return _Noun("implicit", end, end)
    return _Noun("implicit", end, end)


def _phrase_end(tokens: list[_Token], j: int) -> int:
    end = tokens[j].end
    for t in tokens[j + 1:j + 3]:
        if t.kind == "word" and _NOUNS.get(_stem(t.text)) in ("study", "report") or _stem(t.text) == "text":
            return t.end
    return end


def _noun_before(tokens: list[_Token], i: int) -> str | None:
    """The category of the last noun before i in the sentence (for "nine have …"), or None."""
    for t in reversed(tokens[:i]):
        if t.kind != "word":
            continue
        stem = _stem(t.text)
        if stem in ("participant", "individual", "respondent", "patient", "people", "person", "user",
                    "intervention", "informant", "interviewee", "adult", "child", "caregiver", "woman", "man",
                    "men", "women", "member", "client", "programme", "program", "sample"):
            return "guard"
        if stem in _NOUNS and _NOUNS[stem] not in ("theme", "country"):
            return _NOUNS[stem]
        if stem in ("text",):
            return "fulltext"
    return None


@dataclass(frozen=True)
class _Hit:
    position: int
    kind: str
    count: str
    end: int = 0


def _attributes(sentence: str, start: int, end: int, lexicon: Lexicon) -> list[_Hit]:
    """Every term naming a count between start and end of the sentence, with its position."""
    segment = sentence[start:end]
    hits: list[_Hit] = []
    # phrase terms, matched on the normalised words
    words = [(m.start() + start, m.end() + start, _stem(m.group())) for m in re.finditer(r"[A-Za-z0-9]+", segment)]
    normed = " ".join(w for _, _, w in words)
    offsets = []
    pos = 0
    for w_start, w_end, w in words:
        offsets.append((pos, w_start, w_end))
        pos += len(w) + 1

    def at(norm_pos: int) -> tuple[int, int]:
        """The (start, end) in the sentence of the word at a position of the normalised text."""
        found = (end, end)
        for p, s, e in offsets:
            if p > norm_pos:
                break
            found = (s, e)
        return found

    for term in lexicon.terms:
        if term.phrase.startswith("("):  # "(a)": match in the raw text
            for m in re.finditer(re.escape(term.phrase) + r"|(?<![\w(])" + re.escape(term.phrase[1:]),
                                 segment, re.IGNORECASE):
                hits.append(_Hit(start + m.start(), term.kind, term.count, start + m.end()))
            continue
        for m in re.finditer(r"(?<![a-z0-9])" + re.escape(term.phrase) + r"(?![a-z0-9])", normed):
            s, e = at(m.start())[0], at(m.end() - 1)[1]
            before = normed[:m.start()].split()[-1:] or [""]
            if term.kind == "orientation" and term.phrase.split()[-1] in _NOUNS and before[0] in (
                    "thi", "the", "our", "present", "current", "same", "scoping", "a", "published", "whole", "entire"):
                continue  # "this review", "the review" is the review itself
            if term.kind == "country_group" and before[0] == "non" and "non" not in term.phrase:
                continue  # "western" inside "non-western"
            if term.kind == "keyword" and not _KEYWORD_RE.search(sentence):
                continue
            hits.append(_Hit(s, term.kind, term.count, e))
    for country, name, _ in lexicon.countries:
        for alias in lexicon.country_names(country):
            for m in re.finditer(r"(?<![\w.])" + re.escape(alias) + r"(?![\w])", segment):
                hits.append(_Hit(start + m.start(), "country", name, start + m.end()))
    m = _INCLUDED_RE.search(segment)
    while m:
        hits.append(_Hit(start + m.start(), "included", "included", start + m.end()))
        m = _INCLUDED_RE.search(segment, m.end())
    for kind, step_re in _STEP_RES:
        for m in step_re.finditer(segment):
            hits.append(_Hit(start + m.start(), kind, kind, start + m.end()))
    return hits


def _parenthetical_countries(sentence: str, tokens: list[_Token], i: int, lexicon: Lexicon) -> str | None:
    """"two (Malaysia and China)": the country or country group the parenthesis names, else None."""
    if i + 1 >= len(tokens) or tokens[i + 1].text != "(":
        return None
    close = sentence.find(")", tokens[i + 1].end)
    if close < 0:
        return None
    inside = sentence[tokens[i + 1].end:close]
    names = [n.strip() for n in re.split(r",|\band\b|;|&", inside) if n.strip()]
    found = []
    for name in names:
        match = next((c for c in lexicon.countries if name in lexicon.country_names(c[0])), None)
        if match is None:
            return None
        found.append(match)
    if len(found) == 1:
        return found[0][1]
    groups = [g for g in lexicon.counts if g.startswith("country_group.")]
    members = {g: _group_members(lexicon, g) for g in groups}
    for group, countries in members.items():
        if all(c[0] in countries for c in found):
            return group
    return None


def _common_group(lexicon: Lexicon, country_counts: set[str]) -> str | None:
    """The country group every one of these countries (count names) belongs to, or None."""
    names = {c[0] for c in lexicon.countries if c[1] in country_counts}
    return next((g for g, members in lexicon.group_members.items() if names <= set(members)), None)


def _group_members(lexicon: Lexicon, group: str) -> set[str]:
    return set(lexicon.group_members.get(group, ()))


_CATEGORY_KINDS = {
    "study": ("orientation", "theme", "subtheme", "country", "country_group", "keyword", "included", "excluded",
              "screened", "assessed"),
    "fulltext": ("excluded", "included", "assessed", "sought", "notretrieved"),
    "report": ("excluded", "included", "assessed", "sought", "notretrieved"),
    "record": ("database", "duplicates", "excluded", "assessed", "sought", "screened", "identified"),
}


def _count_for(category: str, kind: str, hit: _Hit) -> str:
    if kind in ("orientation", "theme", "subtheme", "country", "country_group", "keyword", "database"):
        return hit.count
    table = {
        ("study", "included"): "included", ("study", "excluded"): "prisma.dbr_excluded",
        ("study", "screened"): "prisma.records_screened", ("study", "assessed"): "prisma.dbr_assessed",
        ("fulltext", "included"): "included", ("report", "included"): "reports",
        ("record", "identified"): "prisma.identified", ("record", "screened"): "prisma.records_screened",
        ("record", "excluded"): "prisma.records_excluded", ("record", "duplicates"): "prisma.duplicates",
    }
    if (category, kind) in table:
        return table[(category, kind)]
    return {"excluded": "prisma.dbr_excluded", "assessed": "prisma.dbr_assessed",
            "sought": "prisma.dbr_sought_reports", "notretrieved": "prisma.dbr_notretrieved_reports"}[kind]


# Unicode hyphens and spaces read as their ASCII forms (one character for one, so offsets hold).
_SAME_LENGTH = {0x2010: "-", 0x2011: "-", 0x00A0: " ", 0x202F: " ", 0x2009: " ", 0x2007: " "}


def _cited_parts(sentence: str, citations: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of a sentence that report cited work: the clauses (split at ";" and ": ") holding a
    citation, or the whole sentence when its first clause holds one ("@smolak2013 reviewed 43 studies; …")."""
    spans = [*citations, *((m.start(), m.end()) for m in _CITATION_RE.finditer(sentence))]
    if not spans:
        return []
    bounds = [0, *(m.end() for m in re.finditer(r";|:(?=\s)", sentence)), len(sentence)]
    clauses = list(zip(bounds, bounds[1:]))
    cited = [c for c in clauses if any(c[0] <= s < c[1] for s, _ in spans)]
    if clauses[0] in cited:
        return [(0, len(sentence))]
    return cited


def find_claims(sentence: str, lexicon: Lexicon, cited: bool = False,
                annotations: Iterable[tuple[int, int, str]] = (),
                citations: Iterable[tuple[int, int]] = ()) -> list[Claim]:
    """The numbers of one sentence that state a count the data knows, in order.

    ``cited``: the sentence is about cited work even without a citation of its
    own (it continues the previous sentence: "Of these, 12 …").
    ``annotations``: (start, end, count name or "none") spans the author marked.
    ``citations``: (start, end) of citations already blanked out of the sentence.
    """
    annotations = tuple(annotations)
    sentence = sentence.translate(_SAME_LENGTH)
    tokens = _tokens(sentence)
    numbers = [k for k, t in enumerate(tokens) if _is_number(t)]
    cited_parts = [(0, len(sentence))] if cited else _cited_parts(sentence, citations)
    claims: list[Claim] = []
    nouns: dict[int, str] = {}
    for idx, i in enumerate(numbers):
        token = tokens[i]
        note = next((a for a in annotations if a[0] <= token.start and token.end <= a[1]), None)
        if token.kind != "num" or token.value is None:
            nouns[i] = _noun_after(tokens, i, lexicon.label_words).category if token.kind == "ph" else "guard"
            continue
        if note is not None:
            if note[2] != "none":
                claims.append(Claim(token.value, note[2], token.start, token.end, token.text,
                                    sentence[note[0]:note[1]].strip()))
            nouns[i] = "guard"
            continue
        if _excluded(tokens, i, sentence):
            nouns[i] = "guard"
            continue
        seg_start = tokens[numbers[idx - 1]].end if idx > 0 else 0
        seg_end = tokens[numbers[idx + 1]].start if idx + 1 < len(numbers) else len(sentence)
        in_cited = any(a <= token.start < b for a, b in cited_parts)
        claim = _classify(sentence, tokens, i, numbers, idx, seg_start, seg_end, lexicon, in_cited, nouns)
        if claim is not None:
            claims.append(claim)
    return claims


def _classify(sentence: str, tokens: list[_Token], i: int, numbers: list[int], idx: int, seg_start: int,
              seg_end: int, lexicon: Lexicon, cited: bool, nouns: dict[int, str]) -> Claim | None:
    token = tokens[i]
    noun = _noun_after(tokens, i, lexicon.label_words)
    category = noun.category
    subset = False
    group = _parenthetical_countries(sentence, tokens, i, lexicon)
    if group is not None and not cited:
        nouns[i] = "study"
        return _claim(sentence, token, group, noun.end, None)
    if _n_equals(tokens, i):
        category = _noun_before(tokens, i - 2) or "implicit"  # "(n = 14)": a claim only when a design etc. is named
    elif category == "of":
        # "nine of the 29 studies", "6 of which": the noun of the whole it is part of
        subset = True
        later = numbers[idx + 1] if idx + 1 < len(numbers) else None
        if later is not None and tokens[later].start - noun.end < 12:
            category = _noun_after(tokens, later, lexicon.label_words).category
        else:
            category = _noun_after_of(tokens, i, lexicon.label_words)
            if category == "implicit":
                category = _noun_before(tokens, i) or "implicit"
    elif category == "implicit":
        category = _noun_before(tokens, i) or "implicit"
    nouns[i] = category
    if category in ("guard", "subtheme") or category is None:
        return None
    strong = _OWN_REVIEW_RE.search(sentence[seg_start:seg_end]) and category in ("study", "implicit")
    if cited and not (strong and not re.search(r"\bof which\b|\bof these\b", sentence[token.end:seg_end])):
        return None
    if _STATISTICS_RE.search(sentence):
        return None  # agreement statistics, effect sizes: numbers of a sample, not of the review
    if token.text.lower() == "one" and category not in ("study", "database", "theme", "fulltext", "report",
                                                         "record") and not _orientation_near(sentence, token,
                                                                                            seg_end, lexicon):
        return None
    if category == "database":
        return _claim(sentence, token, "databases", noun.end, None) if "databases" in lexicon.counts else None
    if category == "theme":
        return _claim(sentence, token, "themes", noun.end, None) if "themes" in lexicon.counts else None
    if category == "country":
        if re.search(r"\b(?:studies|papers|articles|included|review)\b", sentence, re.I) and "countries" in lexicon.counts:
            return _claim(sentence, token, "countries", noun.end, None)
        return None
    if category == "duplicate":
        return _claim(sentence, token, "prisma.duplicates", noun.end, None)
    if category == "record" and not _SEARCH_RE.search(sentence):
        return None
    if category == "implicit":
        category = "study"
        implicit = True
    else:
        implicit = False
    if category == "study" and _FULLTEXT_RE.search(sentence[token.end:seg_end]):
        category = "fulltext"
    forward = _attributes(sentence, token.end, seg_end, lexicon)
    backward = _attributes(sentence, seg_start, token.start, lexicon)
    allowed = _CATEGORY_KINDS[category]
    if subset or implicit:
        forward = [h for h in forward if h.kind != "included"] if subset else forward
    # "13 included studies": an adjective, not the claim's qualifier, when anything else is named
    if category in ("fulltext", "report"):  # only "included" itself turns full texts into included studies
        forward = [h for h in forward if h.kind != "included" or "includ" in sentence[h.position:h.end].lower()]
        backward = [h for h in backward if h.kind != "included" or "includ" in sentence[h.position:h.end].lower()]
    forward_ok = [h for h in forward if h.kind in allowed]
    if category == "study":
        adjectival = [h for h in forward_ok if h.kind == "included" and h.position < noun.end]
        specific = [h for h in forward_ok if h.kind != "included"]
        if adjectival and specific:
            forward_ok = [h for h in forward_ok if h not in adjectival]
    backward_ok = [h for h in backward if h.kind in allowed]
    if noun.category == "implicit" and idx > 0:
        # "Among the 13 quantitative studies, eight were …": "quantitative" belongs to the 13
        whole_end = _noun_after(tokens, numbers[idx - 1], lexicon.label_words).end
        backward_ok = [h for h in backward_ok if h.position >= whole_end]
    if implicit:
        backward_ok = [h for h in backward_ok if h.kind not in ("included",)]

    if subset and idx + 2 < len(numbers):
        forward_ok += [h for h in _attributes(sentence, seg_end, tokens[numbers[idx + 2]].start, lexicon)
                       if h.kind in allowed and h.kind != "included"]
    elif subset:
        forward_ok += [h for h in _attributes(sentence, seg_end, len(sentence), lexicon)
                       if h.kind in allowed and h.kind != "included"]
    whole = category in ("study", "implicit") and (
        (i >= 3 and tokens[i - 1].text.lower() in ("the", "these", "all") and tokens[i - 2].text.lower() == "of"
         and _is_number(tokens[i - 3]))
        or (i >= 2 and tokens[i - 1].text.lower() == "of" and _is_number(tokens[i - 2])))
    if whole:  # "nine of the 29 studies": 29 is the whole set the review is about
        return _claim(sentence, token, "included", noun.end, None)
    complement = bool(_COMPLEMENT_RE.search(sentence[:token.start]))
    outside = re.compile(r"\b(?:outside|beyond)(?: of)?(?: the)? ?$", re.I)
    hit = None
    if _n_equals(tokens, i) and backward_ok:  # "conceptual studies (n = 2)": the words before name it
        forward_ok = []
    # the same comma-clause first: "Theme (a) comprised 13 studies, theme (b) 16"
    comma_after = re.search(r"[,;:]", sentence[noun.end:seg_end] if noun.end > token.end else sentence[token.end:seg_end])
    near_end = (max(noun.end, token.end) + comma_after.start()) if comma_after else seg_end
    commas_before = [m.end() for m in re.finditer(r"[,;:]", sentence[seg_start:token.start])]
    near_start = seg_start + commas_before[-1] if commas_before else seg_start
    forward_near = [h for h in forward_ok if h.position < near_end]
    backward_near = [h for h in backward_ok if h.position >= near_start]
    if forward_near:
        hit = min(forward_near, key=lambda h: (h.position, _kind_rank(h.kind)))
    elif backward_near and [h for h in backward_near if h.kind != "included"]:
        hit = max(backward_near, key=lambda h: (h.end, -_kind_rank(h.kind)))
    elif forward_ok:
        hit = min(forward_ok, key=lambda h: (h.position, _kind_rank(h.kind)))
    elif backward_ok:
        hit = max(backward_ok, key=lambda h: (h.end, -_kind_rank(h.kind)))
    if hit is not None and hit.kind == "country":
        # several countries named together: the group they all belong to ("two (Malaysia and China)")
        named = {h.count for h in (forward_ok or backward_ok) if h.kind == "country"}
        if len(named) > 1:
            group = _common_group(lexicon, named)
            if group is None:
                return None
            hit = _Hit(hit.position, "country_group", group, max(h.end for h in forward_ok or backward_ok))
    if hit is not None and hit.kind == "country_group" and outside.search(sentence[:hit.position]):
        complement = True  # "from outside the western world"
    if complement:
        # "all but two … western countries": the two are the other group, when there are just two groups
        groups = [g for g in lexicon.counts if g.startswith("country_group.")]
        if hit is None or hit.kind != "country_group" or len(groups) != 2:
            return None
        other = next(g for g in groups if g != hit.count)
        return _claim(sentence, token, other, noun.end, hit)
    if hit is not None:
        if hit.kind in ("theme",):  # a sub-theme named in the same place is the more precise count
            sub = [h for h in forward_ok + backward_ok if h.kind == "subtheme"]
            if sub:
                hit = sub[0]
        name = _count_for(category, hit.kind, hit)
        return _claim(sentence, token, name, noun.end, hit)
    if subset:
        return None  # "29 of the 53 full texts …": a part, named by nothing the data counts
    if category == "fulltext":
        return _claim(sentence, token, "prisma.dbr_assessed", noun.end, None)
    if category == "record":
        return _claim(sentence, token, "prisma.identified", noun.end, None)
    if category == "study" and not implicit:
        # "The 29 articles", "all 29 studies": the set the review is about
        prev = tokens[i - 1].text.lower() if i > 0 else ""
        if prev in ("the", "all", "these") and not subset:
            return _claim(sentence, token, "included", noun.end, None)
    return None


def _kind_rank(kind: str) -> int:
    order = ("subtheme", "theme", "orientation", "keyword", "country", "country_group", "database", "duplicates",
             "excluded", "notretrieved", "sought", "assessed", "screened", "identified", "included")
    return order.index(kind) if kind in order else len(order)


def _noun_after_of(tokens: list[_Token], i: int, skip: frozenset[str] = frozenset()) -> str:
    """"two of the authors": the noun after "of" (and its determiners), as _noun_after reads it."""
    j = i + 2
    if j < len(tokens) and tokens[j].text.lower() in ("them", "which", "whom", "us"):
        return "implicit"  # "twenty of them": the noun is earlier
    while j < len(tokens) and tokens[j].text.lower() in ("the", "these", "those", "all", "our"):
        j += 1
    if j >= len(tokens) or tokens[j].kind != "word":
        return "implicit"
    category = _noun_after(tokens, j - 1, skip).category
    return "implicit" if category == "of" else category


def _orientation_near(sentence: str, token: _Token, seg_end: int, lexicon: Lexicon) -> bool:
    return any(h.kind in ("orientation", "theme", "country", "country_group")
               for h in _attributes(sentence, token.end, seg_end, lexicon))


def _claim(sentence: str, token: _Token, name: str, noun_end: int, hit: _Hit | None) -> Claim:
    value = token.value or 0
    head = sentence[token.start:max(noun_end, token.end)].strip()
    quote = head
    if hit is not None:
        hit_end = hit.end
        if re.search(r"\b(?:the|this|our|a|an)$", sentence[hit.position:hit_end], re.I):
            more = re.match(r"\s+[\w-]+", sentence[hit_end:])  # "met the" -> "met the inclusion"
            hit_end += more.end() if more else 0
        if sentence[hit.position:hit_end].count("(") > sentence[hit.position:hit_end].count(")") and \
                sentence[hit_end:hit_end + 1] == ")":
            hit_end += 1  # "theme (a" -> "theme (a)"
        hit = _Hit(hit.position, hit.kind, hit.count, hit_end)
        if hit.position >= noun_end and hit.position > token.end:
            tail = sentence[hit.position:hit.end].strip()
            quote = head + (" " if hit.position - noun_end <= 1 else " … ") + tail
        elif hit.end <= token.start:
            lead = sentence[hit.position:hit.end].strip()
            quote = lead + (" " if token.start - hit.end <= 1 else " … ") + head
    return Claim(value, name, token.start, token.end, token.text, quote)


# ------------------------------------------------------------------ markdown prose

_ABBREVIATIONS = set("al e.g i.e p pp fig figs vs approx ca cf etc dr prof no vol ed eds st mr mrs ms n.d e".split())


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a paragraph."""
    spans = []
    start = 0
    for m in re.finditer(r"[.!?]+[\"”’')\]]*(?=\s+[\"“(\[]?[A-Z0-9{@])", text):
        before = re.search(r"([A-Za-z.]+)\.$", text[start:m.start() + 1])
        word = before.group(1).lower() if before else ""
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue
        spans.append((start, m.end()))
        start = m.end()
        while start < len(text) and text[start].isspace():
            start += 1
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


ANNOTATION_RE = re.compile(r"\[(?P<body>[^\[\]]*)\]\{\s*count\s*=\s*[\"']?(?P<name>[A-Za-z0-9_.\-]+)[\"']?\s*\}")
# Each pattern stops at the next place it could start again, so a hostile line of "<<<<…" or "](](…" costs
# linear time, not quadratic; comments are found without a regular expression (charter.wellformed).
_MASKS = (
    re.compile(r"`[^`\n]*`"),  # inline code
    None,  # comments
    re.compile(r"<[^<>\n]+>"),  # HTML tags
    re.compile(r"(?:https?://|www\.|doi:\s*)\S+|\b10\.\d{4,}/\S+"),  # URLs and DOIs
    re.compile(r"\]\((?:[^)\n\]]|\](?!\())*\)"),  # link targets
    re.compile(r"\[\^[^\]\[\n]*\]"),  # footnote markers
    re.compile(r"\$[^$\n]+\$"),  # math
    re.compile(r"\{[#.][^{}\n]*\}"),  # attributes {#sec-x .unnumbered}
)
_CITE_BRACKETS_RE = re.compile(r"\[[^\[\]\n]*@[A-Za-z0-9_][^\[\]]*\]"
                               r"|(?<![\w@.\-])@(?!(?:tbl|fig|sec|eq|lst)-)[A-Za-z0-9_][\w:.#$%&\-+?<>~/]*")


def mask_markdown(text: str) -> tuple[str, list[tuple[int, int, str]]]:
    """Blank out everything in a Markdown file that is not prose; keep offsets and line breaks.

    Returns the masked text (same length) and the annotated spans ``[13]{count=theme.a}`` as
    (start, end, name) offsets of their content.
    """
    # blanked in a list of characters: one copy of the text, not one per span (linear on hostile input)
    chars = list(text)

    def blank(start: int, end: int) -> None:
        for k in range(start, end):
            if chars[k] != "\n":
                chars[k] = " "

    lines = text.split("\n")
    # front matter, fenced code, headings, tables, div fences, placement lines, images
    offset = 0
    in_fence = None
    in_front = lines and lines[0].strip() == "---"
    for n, line in enumerate(lines):
        stripped = line.strip()
        blank_line = False
        if in_front:
            blank_line = True
            if n > 0 and stripped in ("---", "..."):
                in_front = False
        elif in_fence:
            blank_line = True
            if stripped.startswith(in_fence):
                in_fence = None
        elif re.match(r"^(```+|~~~+)", stripped):
            in_fence = stripped[:3]
            blank_line = True
        elif re.match(r"^(#{1,6}\s|\||\+[-=+]|:::|!\[|\{\{\s*(table|figure):)", stripped) or \
                re.match(r"^[-=]{3,}\s*$", stripped) or re.match(r"^\s*:?-{3,}:?(\s+:?-{3,}:?)+\s*$", line):
            blank_line = True
        if blank_line:
            blank(offset, offset + len(line))
        else:
            marker = re.match(r"^(\s*(?:>\s*)*)(\d+[.)]|#[.)]|[-*+]|\(\d+\)|[a-z][.)])\s+", line)
            if marker:
                blank(offset + marker.start(2), offset + marker.end(2))
        offset += len(line) + 1
    for mask in _MASKS:
        spans = comment_spans("".join(chars)) if mask is None else \
            (m.span() for m in mask.finditer("".join(chars)))
        for start, end in spans:
            blank(start, end)
    annotations = []
    for m in ANNOTATION_RE.finditer("".join(chars)):
        annotations.append((m.start("body"), m.end("body"), m.group("name")))
        blank(m.start(), m.start("body"))
        blank(m.end("body"), m.end())
    masked = "".join(chars).replace("*", " ").replace("\\", " ")
    return masked, annotations


def paragraphs(masked: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph (run of non-blank lines) of masked text."""
    # line by line: the equivalent regular expression takes seconds on one long line of spaces
    spans: list[tuple[int, int]] = []
    offset, start, end = 0, None, 0
    for line in masked.split("\n"):
        if line.strip():
            start = offset if start is None else start
            end = offset + len(line)
        elif start is not None:
            spans.append((start, end))
            start = None
        offset += len(line) + 1
    if start is not None:
        spans.append((start, end))
    return spans


@dataclass(frozen=True)
class Found:
    """A claim with its place: offset in the file and the sentence it is in."""

    claim: Claim
    offset: int


def claims_in_text(text: str, lexicon: Lexicon) -> list[Found]:
    """Every claim in a Markdown text, with offsets into that text."""
    masked, annotations = mask_markdown(text)
    found: list[Found] = []
    for p_start, p_end in paragraphs(masked):
        para = masked[p_start:p_end].replace("\n", " ")
        raw = text[p_start:p_end]
        previous_cited = False
        for s_start, s_end in split_sentences(para):
            if _overlong(para[s_start:s_end]):
                continue  # not prose, and the rules below cost time by its length squared: check_markdown says so
            sentence = para[s_start:s_end]
            raw_sentence = raw[s_start:s_end]
            spans = [(m.start(), m.end()) for r in (_CITATION_RE, _CITE_BRACKETS_RE) for m in r.finditer(raw_sentence)]
            cited = bool(spans)
            inherit = previous_cited and bool(_ANAPHOR_RE.search(sentence))
            base = p_start + s_start
            notes = [(a - base, b - base, name) for a, b, name in annotations if base <= a and b <= base + len(sentence)]
            for claim in find_claims(sentence, lexicon, cited=inherit, annotations=notes, citations=spans):
                found.append(Found(claim, base + claim.start))
            previous_cited = cited or inherit
    return found


def _suggestion(claim: Claim) -> str:
    if claim.written[0].isalpha():
        flt = " | Words" if claim.written[0].isupper() else " | words"
    else:
        flt = ""
    return f"{{{{ n.{claim.count}{flt} }}}}"


def _singular(meaning: str) -> str:
    """"studies with a qualitative design" -> "study with a qualitative design" (for a count of 1)."""
    return counted(1, meaning).removeprefix("1 ")


def claim_problem(claim: Claim, counts: Mapping[str, Count], location: Location, prefix: str = "") -> Problem | None:
    """The problem a claim makes: an error when it contradicts the data, a warning when it matches."""
    count = counts.get(claim.count)
    if count is None:
        return Problem(location, "", f'{prefix}"{claim.quote}" is marked count={claim.count}, which is not a count '
                                     "(run 'invoke counts' to list every name, or write count=none)")
    if count.value is None:
        return None  # the data does not report it: nothing to compare
    says = f"{claim.number:,}"
    has = f"{count.value:,} {_singular(count.meaning) if count.value == 1 else count.meaning}"
    if claim.number != count.value:
        return Problem(location, "", f'{prefix}"{claim.quote}" says {says}, the data has {has} (n.{claim.count}); '
                                     f"correct the text or the data, and write {_suggestion(claim)}")
    return Problem(location, "", f'{prefix}"{claim.quote}" is typed by hand; write {_suggestion(claim)} '
                                 f"so it follows the data ({has})", severity="warning")


def check_markdown(text: str, lexicon: Lexicon, path: str, first_line: int = 1) -> list[Problem]:
    """Check every number typed in a Markdown text against the counts."""
    problems = []
    for found in claims_in_text(text, lexicon):
        line = first_line + text.count("\n", 0, found.offset)
        problem = claim_problem(found.claim, lexicon.counts, Location(path, line))
        if problem is not None:
            problems.append(problem)
    for offset, why in _overlong_sentences(text):
        problems.append(Problem(Location(path, first_line + text.count("\n", 0, offset)), "",
                                f"a sentence of {why}: its numbers cannot be checked; split it into sentences"))
    return problems


_DIGIT_RUN_RE = re.compile(r"\d+")


def _overlong(sentence: str) -> str | None:
    """Why a sentence is too long for the number check (its rules cost time by length times numbers), or None."""
    if len(sentence) > limits.SENTENCE_CHARACTERS:
        return f"{len(sentence):,} characters, over Charter's limit of {limits.SENTENCE_CHARACTERS:,}"
    numbers = len(_DIGIT_RUN_RE.findall(sentence))
    if numbers > limits.SENTENCE_NUMBERS:
        return f"{numbers:,} numbers, over Charter's limit of {limits.SENTENCE_NUMBERS:,}"
    return None


def _overlong_sentences(text: str) -> list[tuple[int, str]]:
    """(offset, why) of each sentence the number check leaves out for its size."""
    masked, _ = mask_markdown(text)
    found = []
    for p_start, p_end in paragraphs(masked):
        para = masked[p_start:p_end].replace("\n", " ")
        for s_start, s_end in split_sentences(para):
            why = _overlong(para[s_start:s_end])
            if why:
                found.append((p_start + s_start, why))
    return found


def check_paragraphs(paras: Iterable[tuple[int, str]], lexicon: Lexicon, label: str) -> list[Problem]:
    """Check every number in numbered plain-text paragraphs (of a DOCX); places are "label: paragraph N"."""
    problems = []
    for number, para in paras:
        for found in claims_in_text(para.replace("\n", " "), lexicon):
            problem = claim_problem(found.claim, lexicon.counts, Location(label), f"paragraph {number}: ")
            if problem is not None:
                problems.append(problem)
    return problems


def annotated_numbers(text: str) -> list[tuple[str, str, str, str]]:
    """The author's annotations in a Markdown text as (word before, number, word after, count name)."""
    found = []
    for m in ANNOTATION_RE.finditer(text):
        before = re.search(r"([\w’'-]+)\W*$", text[:m.start()])
        after = re.match(r"\W*([\w’'-]+)", text[m.end():])
        found.append((before.group(1) if before else "", m.group("body").strip(),
                      after.group(1) if after else "", m.group("name")))
    return found


def annotate(paragraph: str, annotations: Iterable[tuple[str, str, str, str]]) -> str:
    """Put the sources' annotations back around the same words of a paragraph that lost them (a DOCX)."""
    for before, number, after, name in annotations:
        pattern = (rf"(\b{re.escape(before)}\W*)" if before else "()") + rf"({re.escape(number)})" + \
                  (rf"(?=\W*{re.escape(after)}\b)" if after else "")
        paragraph = re.sub(pattern, lambda m: f"{m.group(1)}[{m.group(2)}]{{count={name}}}", paragraph)
    return paragraph
