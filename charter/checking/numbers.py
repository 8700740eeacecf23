"""Find the numbers typed by hand in the prose and tie each to the count it states.

``Lexicon.build(counts, Vocabulary)`` gathers what the check knows of a review: its
counts and the words that name them — read from the review itself (themes, sub-themes,
designs, country groups, field values, questions; ``vocabulary_of(review)``), so a new
review needs no code. ``find_claims(sentence, lexicon)`` reads one sentence with a small
grammar of count phrases (quantity, noun, qualifiers, scope; wholes and parts; lists; one
step per function, from ``_classify``: the noun, what rules a claim out, the qualifiers that are
this count's, the one that names it) and returns the numbers that state a count the data knows (``Claim``: the number, the count
name, where it is, and the other counts its words could name). ``check_markdown`` and
``check_paragraphs`` turn the claims of a file (or of a DOCX's paragraphs) into problems:
a number that contradicts the data is an error, one that matches is a warning suggesting
the placeholder — suggested only when the words single out one count. The rules are
documented, with their measured accuracy, in docs/number-check.md; they are deliberately
conservative: a number is a claim only when both the thing it counts and what singles
them out are named.
"""

from __future__ import annotations

import re
import weakref
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Iterable, Mapping

from charter import limits
from charter.document.counts import Count, slug as _count_slug
from charter.document.english_numbers import TENS, UNITS
from charter.checking.country_names import country_words as _country_words, region_adjectives as _region_adjectives
from charter.model import Location, Problem
from charter.sources.wellformed import comment_spans
from charter.wording import counted

# ------------------------------------------------------------------ vocabulary

_UNITS, _TENS = UNITS, TENS  # "zero" … "nineteen", "twenty" … "ninety" -> their values

# Nouns a count of the review counts, by what they count.
_NOUNS = {
    "study": "study", "paper": "study", "article": "study", "publication": "study", "trial": "study",
    "review": "study", "source": "study", "document": "study",
    "one": "study",  # "seven German and seven Italian ones": the pronoun stands for the studies
    "exception": "study",  # "27 studies were western; the two exceptions were from …": studies left out
    "report": "report",
    "record": "record", "hit": "record", "citation": "record", "reference": "record", "title": "record",
    "abstract": "record", "result": "record",
    "duplicate": "duplicate",
    "database": "database", "library": "database",
    "theme": "theme", "topic": "theme",
    "country": "country", "nation": "country",
    "question": "question",
}
# Head nouns of compounds whose first noun is one the review counts: "review authors", "study participants".
_OTHER_HEADS = set("""
author reviewer team member participant site protocol group aim objective outcome period arm sample population
setting intervention programme program instrument tool measure item register registry registration
""".split())
# Words between a number and its noun that do not change what is counted.
_MODIFIERS = set("""
a an the all of these those more other further additional relevant major main topical broad key original
empirical eligible potentially potential peer peer-reviewed reviewed published primary selected remaining
distinct different separate unique electronic bibliographic digital online academic scientific research studie
english nordic scandinavian norwegian international individual single new unique overarching central
final total overall identified retrieved included distinct databases' relevant, so-called
""".split())
# Words between "the 29" and its noun that leave it the whole set of included studies ("the 29 included
# papers"); any other ("the three Nordic studies") may single out a part, so the claim is not sure.
_WHOLE_WORDS = set("""
included selected eligible final remaining reviewed identified retrieved relevant original primary empirical
published peer-reviewed peer total overall individual distinct different separate unique all of these the
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
reviewer rater coder participant interview informant case site patient respondent ref footnote note top
""".split())
# Ranges and ratios: "2 to 5", "one in five".
_RANGE_WORDS = {"to", "in", "out", "and", "or", "per"}

_INCLUDED_RE = re.compile(
    r"\binclu(?:ded|sion|de|des|ding)\b|\bmet (?:the|our|all (?:the|our)|all|every)\b|\bmeeting (?:the|our)\b|\bthis (?:scoping |systematic |present )?"
    r"(?:review|scope)\b|\bour (?:scoping |systematic )?review\b|\bthe (?:present|current) review\b"
    r"|\b(?:base|basis) (?:for|of) (?:the|this|our) (?:review|scope|synthesis)\b|\bthe (?:scoping )?review\b|\bin the review\b|\bfor the (?:review|scope)\b|\bin this scope\b"
    r"|\beligibility criteri|(?<!potentially )\beligible\b|\bselection of\b|\bwere reviewed\b|\breviewed carefully\b|\bfinal (?:sample|set|selection)\b"
    r"|\bwe (?:reviewed|mapped|analy[sz]ed|synthesi[sz]ed|charted)\b|\b(?:were|was) (?:charted|mapped)\b"
    r"|\bremained\b|\b(?:were|was|being) (?:retained|kept)\b|\b(?:we|and) (?:retained|kept)\b|\b(?:this|which|that) left\b"
    r"|\bended up with\b|\b(?:were )?left with\b|\bresult(?:ed|ing) in\b", re.IGNORECASE)
# Words that put a number in a cited clause back into this review ("We included 29 studies [@a; @b]").
_OWN_REVIEW_RE = re.compile(r"\b(?:this|our|the present|the current) (?:scoping |systematic )?(?:review|scope)\b"
                            r"|\bwe included\b|\binclusion criteria\b|\bmet the (?:inclusion|eligibility)", re.I)
_STEP_RES = (
    ("register", re.compile(r"\b(?:trial )?regist(?:ers?|ries|ry)\b", re.I)),
    ("duplicates", re.compile(r"\bduplicates?\b|\bduplicated\b", re.I)),
    ("excluded", re.compile(r"\bexclu(?:ded|sion|de|ding)\b|\bremoved\b|\bdiscarded\b|\brejected\b"
                            r"|\b(?:did|do|does) not (?:meet|fulfil|fulfill|satisfy)\b|\bfailed to (?:meet|fulfil)"
                            r"|\bset aside\b|\bruled out\b|\bdropped\b", re.I)),
    ("notretrieved", re.compile(r"\bnot (?:be )?(?:retrieved?|obtain(?:ed)?|found|available|locate[d]?)\b|\bunavailable\b"
                                r"|\b(?:could|can|did)(?: not|n't) (?:retrieve|obtain|find|locate|access)\b", re.I)),
    ("sought", re.compile(r"\bsought\b|\brequested\b|\bto (?:be )?retrieved?\b|\bfor retrieval\b", re.I)),
    ("assessed", re.compile(r"\bassessed\b|\bassessment of\b|\beligibility\b(?! criteri)|\bread (?:\S+ )?in full\b|\bfull(?:-| )text review\b"
                            r"|\b(?:reading|read)\s+(?:the\s+|all\s+)?(?=\S+ full[- ]?texts?\b)",
                            re.I)),
    ("screened", re.compile(r"\bscreened\b|\bscreening\b|\bto (?:be )?screen\b|\bafter (?:de-?duplication|remov(?:al|ing) (?:of )?"
                            r"(?:the )?duplicates|duplicates were removed)"
                            r"|\b(?:fell|dropped|came down|was reduced|were reduced) to\b", re.I)),
    ("identified", re.compile(r"\bidentified\b|\bretrieved\b|\byielded\b|\byield\b|\breturned\b|\blocated\b"
                              r"|\bfound\b|\bobtained\b|\bgenerated\b|\bproduced\b|\bsearch(?:es)?\b|\bhits?\b",
                              re.I)),
)
_SEARCH_RE = re.compile(r"\bin full\b|\bfull[- ]?texts?\b|\bincluded\b|\bsearch|\bdatabase|\bidentif|\bretriev|\byield|\bfound\b|\breturned\b|\blocated\b"
                        r"|\bobtained\b|\bscreen|\bduplicate|\bendnote\b|\bexclud|\bremov|\bhits?\b", re.I)
_FULLTEXT_RE = re.compile(r"\bfull[- ]?texts?\b|\bin full\b", re.I)
_THEME_WORD_RE = re.compile(r"\b(?:sub-?)?themes?\b|\btopics?\b", re.I)


def _weak_ok(sentence: str, start: int, end: int) -> bool:
    """A single word of a theme's label names the theme only in a sentence about themes, in a count's noun
    phrase ("the 37 detection studies"), before a bare count ("detection (37)") or after "studies on"."""
    if _THEME_WORD_RE.search(sentence):
        return True
    before, after = sentence[:start], sentence[end:]
    return bool(re.search(r"(?:\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                          r"[a-z]+teen|[a-z]+ty(?:-[a-z]+)?))\s+$", before, re.I)
                or re.match(r"(?:[\s-]+[\w-]+){0,2}\s*\(\s*(?:n\s*=\s*)?\d", after)
                or re.search(r"\b(?:studies|papers|articles)\s+(?:on|about|of|concerning|addressing|into)\s+(?:the\s+)?$",
                             before, re.I))


_QUESTION_RE = re.compile(r"\bquestions?\b|\bRQ\s?\d|\bq\d|\baddress(?:ed|es|ing)?\b|\baims?\b", re.I)
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
_COMPLEMENT_RE = re.compile(r"(?:\ball but|\bexcept(?: for)?|\bapart from|\baside from|\bother than|\bexcluding|"
                            r"\bwith the exception of|\bsave for)\W*$", re.I)


def _left_out(sentence: str, at: int) -> bool:
    """"All but four studies …", "With the exception of four studies, every study …": the number at
    offset ``at`` counts the studies the rest of the sentence does not hold for."""
    return bool(_COMPLEMENT_RE.search(sentence[:at]))


def _stem(word: str) -> str:
    """Crude singular, lower case, hyphens as spaces: "Reviews" -> "review", "full-texts" -> "full text"."""
    word = word.lower().replace("’", "'")
    if word in ("species", "series"):
        return word
    if word.endswith(("yses", "theses")) or word.endswith("sis") and len(word) > 5:
        return word[:-3] + "si" if word.endswith("sis") else word[:-2] + "i"  # "analyses", "analysis" -> "analysi"
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

    phrase: str  # normalised phrase (see _norm), or "(a)" matched in the raw text
    kind: str  # orientation, theme, subtheme, country_group, keyword, database, question, field
    count: str
    weak: bool = False  # one word of a label: names it only where the sentence speaks of its themes
    minor: bool = False  # a design's key that is only a modifier in its label ("focus"): loses to any other name
    unordered: bool = False  # the words of a yes/no field's label, matched in any order within a short stretch
    written: str = ""  # an abbreviation spelt like a common word ("DiD"): matched only as written


@dataclass(frozen=True)
class Name:
    """Something of the review that prose names: a theme, a design, a review question, a group."""

    key: str
    label: str
    short: tuple[str, ...] = ()  # short forms and abbreviations authors also write


@dataclass(frozen=True)
class Field:
    """A per-study field the review declares (review.yaml ``study_fields``) and its values."""

    name: str
    label: str
    type: str  # choice, list, integer, text
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary:
    """The review's own words for what it counts, as plain data (the shapes of review.yaml).

    The number check reads its qualifiers from here, so a new review needs no code:
    ``Vocabulary.from_mapping(yaml.safe_load(review_yaml))`` or ``vocabulary_of(project.review)``.
    """

    themes: tuple[Name, ...] = ()
    subthemes: tuple[tuple[str, Name], ...] = ()  # (theme key, sub-theme)
    orientations: tuple[Name, ...] = ()
    country_groups: tuple[tuple[Name, tuple[str, ...]], ...] = ()  # (group, member countries)
    questions: tuple[Name, ...] = ()
    fields: tuple[Field, ...] = ()
    keywords: tuple[str, ...] = ()
    title: str = ""  # the review's title: its words are the whole review's topic, not one theme's
    participants: tuple[str, ...] = ()  # the review's words for its participants: Table 1's heading of them

    @classmethod
    def from_mapping(cls, data: Mapping) -> "Vocabulary":
        """Read review.yaml-shaped data: themes, orientation (or vocabularies.orientation), country_groups,
        questions, study_fields, keywords."""
        def name(item: Mapping) -> Name:
            short = item.get("short") or item.get("abbreviation") or ()
            short = (short,) if isinstance(short, str) else tuple(short)
            return Name(str(item.get("key", "")), str(item.get("label", item.get("key", ""))),
                        tuple(str(s) for s in short))

        themes = tuple(data.get("themes") or ())
        orientation = data.get("orientation") or (data.get("vocabularies") or {}).get("orientation") or ()
        groups = []
        for key, group in (data.get("country_groups") or {}).items():
            if isinstance(group, Mapping):
                groups.append((Name(str(key), str(group.get("label", key))), tuple(group.get("members") or ())))
            else:
                groups.append((Name(str(key), str(key)), tuple(group or ())))
        fields = tuple(Field(str(f["name"]), str(f.get("label", f["name"])), str(f.get("type", "text")),
                             tuple(str(c) for c in f.get("choices") or ()))
                       for f in data.get("study_fields") or ())
        return cls(
            themes=tuple(name(t) for t in themes),
            subthemes=tuple((str(t.get("key")), name(s)) for t in themes for s in t.get("subthemes") or ()),
            orientations=tuple(name(o) for o in orientation),
            country_groups=tuple(groups),
            questions=tuple(name(q) for q in data.get("questions") or ()),
            fields=fields,
            keywords=tuple(str(k) for k in data.get("keywords") or ()),
            title=str(data.get("title") or ""),
            participants=tuple(str(c.get("heading")) for c in (data.get("table") or {}).get("columns") or ()
                               if isinstance(c, Mapping) and c.get("field") == "participants" and c.get("heading")),
        )


def vocabulary_of(review) -> Vocabulary:
    """The vocabulary of a loaded review (``charter.model.Review``)."""
    def name(item) -> Name:
        short = getattr(item, "short", None) or getattr(item, "abbreviation", None) or ()
        return Name(item.key, item.label, (short,) if isinstance(short, str) else tuple(short))

    return Vocabulary(
        themes=tuple(name(t) for t in review.themes),
        subthemes=tuple((t.key, name(s)) for t in review.themes for s in t.subthemes),
        orientations=tuple(name(o) for o in review.orientations),
        country_groups=tuple((Name(k, review.country_group_labels.get(k, k)), tuple(v))
                             for k, v in review.country_groups.items()),
        questions=tuple(name(q) for q in getattr(review, "questions", ()) or ()),
        fields=tuple(Field(f.name, f.label, f.type, tuple(f.choices)) for f in review.extra_fields),
        title=review.title,
        participants=tuple(c.heading for c in getattr(review, "table_columns", ()) or ()
                           if c.field == "participants" and c.heading),
    )


_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth".split()
# Ways of saying a study did not report its design (the count orientation.not_reported).
_NOT_REPORTED_DESIGN = tuple(
    f"did not {verb} {whose} {what}" for verb in ("describe", "report", "state", "name", "give", "specify")
    for whose in ("a", "its", "their", "the") for what in ("design", "method", "methods", "methodology")) + (
                        "design not reported", "design was not reported", "not reported design", "unreported design",
                        "unclear design", "design was unclear", "no reported design", "no stated design",
                        "did not report a design", "did not report their design", "did not report its design",
                        "did not state a design", "did not state their design", "did not state its design",
                        "design not stated", "design unclear", "without a stated design", "without a reported design",
                        "did not name a design", "did not name their design", "did not name its design",
                        "did not describe their design", "did not describe its design", "design is not reported",
                        "design was not stated", "design is not stated", "gave no design", "reported no design",
                        "could not be classified", "unclassified", "not classifiable", "unclassifiable",
                        "could not be categorised", "could not be categorized", "design could not be determined")


def _field_not_reported(label: str) -> list[str]:
    """Ways of saying a study did not report a choice field, from its label and the label's head before
    "of" ("age group of the people studied" -> "did not report an age group")."""
    heads = _field_heads(label)
    verbs = ("report", "state", "give", "specify", "describe", "name", "say")
    return [f"did not {verb} {whose} {head}" for head in heads if head
            for verb in verbs for whose in ("a", "an", "its", "their", "the")] + \
        [_norm(f"{head} {be} not {said}") for head in heads if head for be in ("was", "were")
         for said in ("reported", "stated", "given")] + \
        [_norm(f"{said} {head}") for head in heads if len(head.split()) > 1 for said in ("gave no", "reported no")] + \
        [_norm(f"{head} was unclear") for head in heads if len(head.split()) > 1]


def _field_heads(label: str) -> list[str]:
    """The words prose uses for a field's label: the label, its head before "of" / "for" / "in", without a
    trailing participle ("species studied" -> "species"), and in the possessive order, with or without
    that participle ("type of river restored" -> "river type")."""
    unparticipled = re.sub(r"\s+\w+ed$", "", label)
    return list(dict.fromkeys([_norm(label), _norm(re.split(r"\s+(?:of|for|in)\s+", label)[0]),
                               _norm(unparticipled), _possessive_form(label), _possessive_form(unparticipled)]))


def _possessive_form(label: str) -> str:
    """"diagnoses of the patients" as prose also writes it, "the patients' diagnoses" (normalised: "patient
    diagnose"); "" when the label has no "X of the Y"."""
    m = re.fullmatch(r"\s*(.+?)\s+of\s+(?:the\s+)?(\w+)\s*", label)
    return f"{_norm(m.group(2))} {_norm(m.group(1))}" if m else ""


def _country_not_reported() -> list[str]:
    """Ways of saying a study named no country: the review counts them (country.not_reported) as it counts
    a field left unreported ("Three studies named no country", "did not report a country")."""
    return [*_field_not_reported("country"), "no country", "country not reported", "country was not reported",
            "country was not stated", "country not stated"]


def _variants(label: str) -> list[str]:
    """A label and the forms prose gives it: without a parenthesis, before a colon, without "design"."""
    forms = [label, re.sub(r"\s*\([^)]*\)", "", label), label.split(":")[0]]
    words = _norm(label).split()
    if len(words) > 1 and words[-1] in ("design", "approach", "method", "trial") or \
            len(words) > 2 and words[-1] == "study":
        forms.append(" ".join(words[:-1]))  # "cluster-randomised trial" -> "cluster-randomised"
    if len(words) >= 3:  # "randomised controlled trial" -> "RCT"
        forms.append("".join(w[0] for w in words))
    return [f for f in dict.fromkeys(_norm(f) for f in forms) if f]


@dataclass(frozen=True)
class Lexicon:
    """What the number check knows of the review: its counts and the words that name them."""

    counts: Mapping[str, Count]
    terms: tuple[Phrase, ...]
    countries: tuple[tuple[str, str, str], ...]  # (country as written, count name, group count name or "")
    group_members: Mapping[str, tuple[str, ...]]  # "country_group.<key>" -> its countries
    label_words: frozenset[str]  # words of the review's vocabulary ("literature", "naturalistic", …)
    country_words: Mapping[str, tuple[str, ...]] = None  # country -> its names and adjectives
    measures: tuple[tuple[str, tuple[str, ...]], ...] = ()  # ("participants", ("nurse", "participant")), …
    design_words: frozenset[str] = frozenset()  # words of the design labels ("investigation", "cohort")
    weak_words: frozenset[str] = frozenset()  # single words of theme labels ("detection")
    abbreviations: frozenset[str] = frozenset()  # the review's own abbreviations as written ("CI", "RFE")
    reported_re: re.Pattern | None = None  # "named a target taxon": a field it names (see _unreported_heads)
    reported_heads: Mapping[str, str] = None  # the field's head words (normalised) -> its not_reported count

    @classmethod
    def build(cls, counts: Mapping[str, Count], vocabulary: Vocabulary | None = None) -> "Lexicon":
        """The words that name each count: from the review's vocabulary, else read off the count meanings."""
        vocabulary = vocabulary or Vocabulary()
        fields = {f.name: f for f in vocabulary.fields}
        terms = _terms_of_counts(counts, vocabulary, fields)
        terms = _derived_terms(terms, vocabulary, fields)
        country_terms, countries = _country_terms(counts, vocabulary)
        terms += country_terms
        members = {f"country_group.{g.key}": tuple(m) for g, m in vocabulary.country_groups}
        words, country_words = _label_words_of(terms, countries)
        designs = frozenset(w for t in terms if t.kind == "orientation" and not t.count.endswith(".not_reported")
                            for w in t.phrase.split()) - set(_NOUNS) - _STOPWORDS
        weak = frozenset(t.phrase for t in terms if t.weak)
        return cls(dict(counts), tuple(terms), tuple(countries), members, frozenset(words), country_words,
                   _measures(counts, vocabulary), designs, weak, _own_abbreviations(vocabulary),
                   *_reported_pattern(_unreported_heads(counts, fields)))

    @classmethod
    def from_counts(cls, counts: Mapping[str, Count],
                    country_groups: Mapping[str, Iterable[str]] | None = None) -> "Lexicon":
        """Read the words that name each count off the count names and meanings (no vocabulary at hand).

        ``country_groups``: group key -> member countries (review.yaml), to read "two (Malaysia and China)".
        """
        groups = tuple((Name(k, k), tuple(v)) for k, v in (country_groups or {}).items())
        lexicon = cls.build(counts, Vocabulary(country_groups=groups))
        return lexicon

    def country_names(self, country: str) -> tuple[str, ...]:
        """The names and adjectives of a country as prose writes them ("Norway", "Norwegian")."""
        if self.country_words and country in self.country_words:
            return self.country_words[country]
        names, adjectives = _country_words(country)
        return (*names, *adjectives)


def _named(phrases: Iterable[str], kind: str, name: str) -> list[Phrase]:
    """The phrases that name a count, less the bare words every count shares ("study", "the")."""
    return [Phrase(phrase, kind, name) for phrase in phrases
            if phrase and phrase not in ("study", "paper", "article", "the")]


def _term_for(names: Iterable[Name], key: str) -> Name | None:
    """The review's vocabulary entry with this key, if it declares one."""
    return next((n for n in names if n.key == key), None)


def _terms_of_counts(counts: Mapping[str, Count], vocabulary: Vocabulary, fields: Mapping[str, Field]) -> list[Phrase]:
    """The words that name each count, count by count, from its label in the vocabulary or its meaning."""
    terms: list[Phrase] = []
    theme_names = [n for n in counts if n.startswith("theme.")]
    for name, count in counts.items():
        kind, _, key = name.partition(".")
        if kind in ("orientation", "theme", "subtheme"):
            terms += _label_terms(name, count, vocabulary, theme_names)
        elif kind in ("country_group", "keyword", "question") or \
                kind == "prisma" and (key.startswith("database.") or key.startswith("dbr_excluded_reason.")):
            terms += _listed_terms(name, count, vocabulary)
        elif kind == "country":
            continue
        elif kind in fields and fields[kind].type in ("choice", "list"):
            terms += _field_terms(name, count, fields[kind])
    return terms


def _label_terms(name: str, count: Count, vocabulary: Vocabulary, theme_names: list[str]) -> list[Phrase]:
    """The words that name a design, a theme or a sub-theme count: its label, short forms and key."""
    terms: list[Phrase] = []
    kind, _, key = name.partition(".")
    if kind == "orientation":
        if key == "not_reported":
            return _named(dict.fromkeys(_norm(p) for p in _NOT_REPORTED_DESIGN), "orientation", name)
        term = _term_for(vocabulary.orientations, key)
        label = term.label if term else re.sub(r"^studies with an? (.*) design$", r"\1", count.meaning)
        # the key alone names the design unless it is only a modifier in the label: "focus" of
        # "focus groups", "case" of "case study" are words prose uses for other things
        key_words, label_words = _norm(key).split(), _norm(label).split()
        modifier_only = len(label_words) > 1 and set(key_words) < set(label_words) and \
            label_words[-1] not in key_words
        terms += _named([*_variants(label), *(_norm(s) for s in (term.short if term else ()))], "orientation", name)
        if modifier_only:
            terms.append(Phrase(_norm(key), "orientation", name, minor=True))
        else:
            terms += _named([_norm(key)], "orientation", name)
    elif kind == "theme":
        term = _term_for(vocabulary.themes, key)
        label = term.label if term else re.sub(r"^studies in theme \([^)]*\) ", "", count.meaning)
        terms += _named([*_variants(label), *(_norm(s) for s in (term.short if term else ()))], "theme", name)
        terms += _named([f"theme {key.lower()}", f"topic {key.lower()}", f"({key.lower()})"], "theme", name)
        i = theme_names.index(name)
        if i < len(_ORDINALS):
            terms += _named([f"{_ORDINALS[i]} {noun}" for noun in ("theme", "topic")], "theme", name)
    else:
        theme_key, _, sub_key = key.partition(".")
        term = _term_for([s for t, s in vocabulary.subthemes if t == theme_key], sub_key)
        label = term.label if term else re.sub(r"^studies in sub-theme ", "", count.meaning)
        terms += _named([*_variants(label), *(_norm(s) for s in (term.short if term else ()))], "subtheme", name)
        terms += _named([f"sub theme {sub_key.lower()}", f"subtheme {sub_key.lower()}"], "subtheme", name)
    return terms


def _listed_terms(name: str, count: Count, vocabulary: Vocabulary) -> list[Phrase]:
    """The words that name a country group, keyword, question, database or full-text exclusion reason count."""
    terms: list[Phrase] = []
    kind, _, key = name.partition(".")
    if kind == "country_group":
        group = next((g for g, _ in vocabulary.country_groups if g.key == key), None)
        # "studies from …", "reviews from European countries": whatever the review includes
        from_meaning = re.sub(r"^[\w-]+ from (?:the )?(.*?)(?: countries)?$", r"\1", count.meaning)
        labels = [group.label if group else from_meaning, from_meaning, key.replace("_", " ")]
        labels += [a for label in labels[:2] for a in _region_adjectives(re.sub(r"^the ", "", label))]
        terms += _named(dict.fromkeys(_norm(label) for label in labels), "country_group", name)
    elif kind == "keyword":
        label = next((k for k in vocabulary.keywords if _slug(k) == key), None) or \
            re.sub(r'^studies with "(.*)" among their keywords$', r"\1", count.meaning)
        terms += _named(dict.fromkeys([_norm(label), _norm(key.replace("_", " "))]), "keyword", name)
    elif kind == "question":
        term = _term_for(vocabulary.questions, key)
        terms += _named([*(_variants(term.label) if term else ()), *(_norm(s) for s in (term.short if term else ()))],
                        "question", name)
        terms += _named([f"question {_norm(key)}", f"rq {_norm(key)}", f"rq{_norm(key)}"], "question", name)
        if re.search(r"\d", key):
            terms += _named([_norm(key)], "question", name)  # "q3"
        # "question 2", "RQ2": the question's place in review.yaml (and the digits of a key like q2)
        places = {str(n + 1) for n, q in enumerate(vocabulary.questions) if q.key == key}
        places |= set(re.findall(r"\d+$", key))
        terms += _named(_question_place_names(places), "question", name)
    elif key.startswith("database."):
        terms += _named([_norm(count.meaning.removeprefix("records from "))], "database", name)
    else:
        # a reason for excluding full texts, in its own words: "no control or comparison sites (31)"
        reason = re.sub(r"^.*?\bexcluded\b\s*(?::|for|because(?: of)?|as)?\s*", "", count.meaning)
        terms += _named([_norm(reason)] if len(reason.split()) >= 2 else [], "reason", name)
    return terms


def _field_terms(name: str, count: Count, field: Field) -> list[Phrase]:
    """The words that name a count of a choice or list field's value, or of the studies not reporting it."""
    key = name.partition(".")[2]
    if key == "not_reported":
        # "16 did not report an age group" (the field "age group of the people studied")
        return _named(_field_not_reported(field.label), "field", name)
    value = next((v for v in field.values if _slug(v) == key), None)
    value = value or re.sub(r"^studies with .* ", "", count.meaning)
    terms = _named([_norm(value), *(_norm(a) for a in _country_words(value)[1])], "field", name)
    # the meaning may word the value as prose does: "studies of omnivorous fish", "home-based trials"
    said = re.sub(r"\s*\([^)]*\)", "", count.meaning)
    said = re.sub(r"^(?:studies|trials|papers|articles)\s+(?:with|of|in|using|at|from|on)\s+(?:the\s+)?",
                  "", said)
    said = re.sub(r"\s+(?:studies|trials|papers|articles)$", "", said)
    said = re.sub(r"^" + re.escape(field.label) + r"\s+", "", said, flags=re.I)
    if said != count.meaning and 0 < len(said.split()) <= 4:
        terms += _named([_norm(said)], "field", name)  # its distinctive words: _short_forms
    if key == "yes" and {_slug(v) for v in field.values} == {"yes", "no"}:
        # a yes/no field: its label, in any word order, names "yes" ("disaggregated their results by
        # gender" for "results disaggregated by gender"); negated, "no" (see _attributes)
        content = [w for w in _norm(field.label).split() if w not in _STOPWORDS]
        if len(content) >= 2:
            terms.append(Phrase(" ".join(content), "field", name, unordered=True))
    return terms


def _derived_terms(terms: list[Phrase], vocabulary: Vocabulary, fields: Mapping[str, Field]) -> list[Phrase]:
    """The terms with the other ways prose writes them: as written, short forms, a design's words reordered."""
    terms = _common_words_as_written(terms, vocabulary)
    terms += _fields_over_labels(_short_forms(terms, _title_roots(vocabulary), fields), fields.values())
    # a design's two-word short form in other word forms and order: "synthesised narratively" for
    # "narrative synthesis"
    # "synthesised narratively" for "narrative synthesis"; and a label of two content words with a small
    # word between: "screened institutions", "screened the community" for "screening in an institution"
    # — and so a review question's label of two content words, with one more word between, as what counted
    # studies did ("130 addressed the proportion that remains asymptomatic" for "proportion asymptomatic")
    terms += [replace(t, phrase=" ".join(_content_words(t.phrase)), unordered=True) for t in terms
              if t.kind in ("orientation", "question") and not t.weak and not t.minor and not t.unordered
              and not (t.kind == "question" and re.search(r"\bquestion\b|\brq\b|\d", t.phrase))  # (its own words)
              and not t.count.endswith(".not_reported")  # "design not reported": its negation counts
              and len(_content_words(t.phrase)) == 2 and len(t.phrase.split()) <= 4]
    # a value's single word that is a noun the check counts never names the value alone: *report* of
    # "self-report" is the papers' noun ("38 studies (44 reports)"), *study* of "pilot study" the studies'
    longer = {t.count for t in terms if t.kind == "field" and " " in t.phrase}
    return [t for t in terms if not (t.kind == "field" and t.count in longer and t.phrase in _NOUNS)]


def _country_terms(counts: Mapping[str, Count],
                   vocabulary: Vocabulary) -> tuple[list[Phrase], list[tuple[str, str, str]]]:
    """The words for "country not reported", and each country count's country as written."""
    terms: list[Phrase] = []
    countries: list[tuple[str, str, str]] = []
    members_by_slug = {_slug(m): m for _, group in vocabulary.country_groups for m in group}
    for name, count in counts.items():
        if name == "country.not_reported":
            terms += _named(_country_not_reported(), "country", name)
        if name.startswith("country.") and name != "country.not_reported":
            key = name.removeprefix("country.")
            written = re.search(r"\bfrom (?:the )?(.+)$", count.meaning)
            country = members_by_slug.get(key) or (written.group(1) if written else key.replace("_", " ").title())
            countries.append((country, name, ""))
    return terms, countries


def _label_words_of(terms: list[Phrase], countries: list[tuple[str, str, str]]
                    ) -> tuple[set[str], dict[str, tuple[str, ...]]]:
    """The words of the review's vocabulary (passed over before a noun), and each country's names."""
    words = set(w for t in terms if t.kind in ("orientation", "field", "country_group")
                and (not t.count.endswith(".not_reported") or " " not in t.phrase) for w in t.phrase.split())
    country_words: dict[str, tuple[str, ...]] = {}
    for country, _, _ in countries:
        names, adjectives = _country_words(country)
        country_words[country] = (*names, *adjectives)
        words.update(_country_qualifiers(names, adjectives))
    words -= set(_NOUNS) | {"not", "no", "the", "and", "or", "of", "in", "with", "for", "to"}
    return words, country_words


# words of the language a key or abbreviation may be spelt like ("did" for difference-in-differences)
_FUNCTION_WORDS = frozenset("did do doe can may will use ha had have so u it its is are be was all one any".split())


def _common_words_as_written(terms: list[Phrase], vocabulary: Vocabulary) -> list[Phrase]:
    """A name of the review that is also a common word ("DiD", key "did", beside "14 did not") names it
    only as the review writes its abbreviation, case and all; a key alone so spelt names nothing."""
    written = {_norm(s): s for n in (*vocabulary.orientations, *vocabulary.themes, *vocabulary.questions,
                                     *(s for _, s in vocabulary.subthemes)) for s in n.short}
    out = []
    for term in terms:
        if term.phrase not in _FUNCTION_WORDS or term.kind not in ("orientation", "theme", "subtheme", "question"):
            out.append(term)
        elif term.phrase in written and not any(t.written == written[term.phrase] for t in out):
            out.append(replace(term, written=written[term.phrase]))
    return out


def _own_abbreviations(vocabulary: Vocabulary) -> frozenset[str]:
    """The review's short forms written in capitals ("CI" for contact investigation, "SE" for software
    engineering): where the review uses one as its own name, it is no statistic (see _statistic_in)."""
    names = [*vocabulary.themes, *(s for _, s in vocabulary.subthemes), *vocabulary.orientations,
             *vocabulary.questions]
    return frozenset(s for n in names for s in n.short if re.fullmatch(r"[A-Z][A-Za-z]*[A-Z]", s))


def _unreported_heads(counts: Mapping[str, Count], fields: Mapping[str, Field]) -> dict[str, str]:
    """The words for each field the review counts as left unreported (``<field>.not_reported``), and for the
    country: its label's forms (_field_heads) and their head nouns, each naming one field only. "All but four
    studies named a target taxon" then counts the four (see _other_group_claim)."""
    heads: dict[str, set[str]] = {"country": {"country.not_reported"}} if "country.not_reported" in counts else {}
    for name, field in fields.items():
        if f"{name}.not_reported" in counts and field.type in ("choice", "list"):
            for head in _field_heads(field.label):
                for words in (head, head.split()[-1] if head else ""):
                    if len(words) >= 4 and words not in _STOPWORDS:
                        heads.setdefault(words, set()).add(f"{name}.not_reported")
    return {head: next(iter(names)) for head, names in heads.items() if len(names) == 1}


def _reported_pattern(heads: dict[str, str]) -> tuple[re.Pattern | None, dict[str, str]]:
    """One regex, compiled once per review, over normalised text: a reporting verb, a determiner, then
    one of the heads (longest first), perhaps after a word or two ("named a target taxon")."""
    if not heads:
        return None, {}
    alternation = "|".join(re.escape(h) for h in sorted(heads, key=len, reverse=True))
    return re.compile(r"\b(?:described|reported|stated|named|gave|specified|recorded)\s+(?:a|an|its|their|the)\s+"
                      r"(?:[a-z0-9]+\s+){0,2}?(?P<head>" + alternation + r")\b"), heads


def _statistic_in(text: str, lexicon: "Lexicon") -> bool:
    """A statistic's sign in the text ("OR", "95% CI", "kappa", "p <") — not one of the review's own
    abbreviations that happens to be spelt like one ("Nine CI studies" where CI is a design); "95% CI" stays one."""
    return any(m.group() not in lexicon.abbreviations or re.search(r"%\s*$", text[:m.start()])
               for m in _STATISTICS_RE.finditer(text))


_STOPWORDS = set("""
a an the of in on and or with for to from by as at its their his her into about between within among than
is are was were be been being that this these those which who whom not no
""".split())


def _question_place_names(places: set[str]) -> list[str]:
    """A review question by its place in review.yaml: "question 2", "RQ2", and in words, "the second
    question" / "the second research question" (as a theme is "the first theme")."""
    names = [f"{word} {place}" for place in sorted(places) for word in ("question", "rq")]
    for place in sorted(p for p in places if p.isdigit() and 0 < int(p) <= len(_ORDINALS)):
        names += [f"{_ORDINALS[int(place) - 1]} {noun}" for noun in ("question", "research question")]
    return names


def _root(word: str) -> str:
    """A rougher stem, to tell a title's topic word in a label: "flakiness" -> "flaky", "tests" -> "test"."""
    for suffix, replacement in (("iness", "y"), ("ness", ""), ("ity", ""), ("ing", ""), ("ies", "y"), ("ed", ""),
                                ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[:-len(suffix)] + replacement
    return word


def _content_words(phrase: str) -> list[str]:
    return [w for w in phrase.split() if w not in _STOPWORDS]


@lru_cache(maxsize=65536)
def _verb_root(word: str) -> str:
    """A root shared by a noun in -ion and its verb: "infection", "infected" -> "infect";
    "investigations", "investigated" -> "investigat"."""
    root = _root(word)
    return root[:-3] if root.endswith("ion") and len(root) > 6 else root


_WEAK_STOP = set("""
based related oriented focused using use used new other different various general specific approach approaches
factor factors aspect aspects issue issues way ways type types part parts role roles level levels
""".split())


# words that name the people a study is about, whatever the review: a run of a label made of these and a
# field's words says no more than the field does
_PEOPLE_WORDS = frozenset("people person individual adult patient".split())


def _title_roots(vocabulary: Vocabulary) -> set[str]:
    """The roots of the review title's words (they name the whole review, never one theme)."""
    return {_root(w) for w in _norm(vocabulary.title).split()}


def _country_qualifiers(names: Iterable[str], adjectives: Iterable[str]) -> set[str]:
    """Words a count's noun is read past for a country: each word of its adjectives ("South African"), its
    short names in capitals ("Nine US studies") and its names of several words, which stand before a noun as
    they are ("two New Zealand studies")."""
    return {w for a in (*adjectives, *(n for n in names if n.isupper() or " " in n.strip())) for w in _stem(a).split()}


def _fields_over_labels(short: list[Phrase], fields: Iterable[Field]) -> list[Phrase]:
    """A choice field's value written with the field's own label names that value: *severe mental health
    problems*, *context-specific mental health problems* for the field *mental health problems studied*. So a
    theme's or sub-theme's shortened label made only of such words (a value among them) is the field's, not
    the theme's, though the sub-theme *Social support in the lives of people with severe mental health
    problems* has the same words (its own are *social support*, *lives*). Returns the short forms kept and
    the field's value-and-label phrases. Such a short form is kept as a minor name: where the sentence speaks
    of themes it is the theme's again (_theme_or_field)."""
    fields = [f for f in fields if f.type in ("choice", "list") and f.values]
    kept = list(short)
    added = []
    for field in fields:
        label = _norm(field.label).split()
        labels = {" ".join(label), " ".join(label[:-1])} - {""}
        values = {_slug(v): _norm(v) for v in field.values if _slug(v) not in ("yes", "no", "not_reported")}
        vocabulary = set(label) | {w for v in values.values() for w in v.split()}
        value_words = {w for v in values.values() for w in v.split()}
        kept = [replace(p, minor=True) if p.kind in ("theme", "subtheme") and value_words & set(p.phrase.split())
                and set(p.phrase.split()) - _STOPWORDS - _PEOPLE_WORDS <= vocabulary else p for p in kept]
        # "severe mental health problems", and "mental health problems were severe"
        added += [Phrase(phrase, "field", f"{field.name}.{slug}") for slug, value in values.items()
                  for lab in sorted(labels) for phrase in (f"{value} {lab}", f"{lab} were {value}", f"{lab} wa {value}")]
    return kept + added


def _short_forms(terms: list[Phrase], topic: set[str] = frozenset(),
                 declared: Mapping[str, Field] = {}) -> list[Phrase]:
    """The shortened labels authors write for themes, sub-themes and field values.

    A run of words of a theme's or sub-theme's label that no other label has ("direct strategy",
    "severe mental health problem") names it; so does one such word before "theme" or "sub-theme"
    ("the relationships theme", "the indirect-strategies sub-theme"). A word of a multi-word field value
    no other value of that field has names the value ("paediatric" for "paediatric ICU").
    """
    out: list[Phrase] = []
    labels = [t for t in terms if t.kind in ("theme", "subtheme") and not t.phrase.startswith("(")
              and len(t.phrase.split()) > 1 and not re.fullmatch(r"(?:theme|topic|sub theme|subtheme) \S+", t.phrase)
              and not re.fullmatch(r"\w+ (?:theme|topic)", t.phrase)]
    def runs(phrase: str, n_min: int) -> list[str]:  # in order: the phrases, and so the findings, never
        words = phrase.split()                          # depend on PYTHONHASHSEED
        return list(dict.fromkeys(" ".join(words[a:b]) for a in range(len(words))
                                  for b in range(a + n_min, len(words) + 1)
                                  if words[a] not in _STOPWORDS and words[b - 1] not in _STOPWORDS))
    owners: dict[str, set[str]] = {}
    for term in labels:
        for run in runs(term.phrase, 1):
            owners.setdefault(run, set()).add(term.count)
    kinds = {t.count: t.kind for t in labels}
    whole = {t.phrase for t in terms if t.kind in ("theme", "subtheme")}
    others = {t.phrase for t in terms if t.kind in ("orientation", "field", "country_group", "keyword")}  # a design
    for run, counts in owners.items():
        themes = [c for c in counts if c.startswith("theme.")]
        if len(themes) == 1 and all(c == themes[0] or c.startswith("sub" + themes[0] + ".") for c in counts):
            counts = {themes[0]}  # a word of a theme and of its own sub-themes names the theme
        if len(counts) != 1 or run in whole or run in others:
            continue
        (count,) = counts
        if len(run.split()) >= 2 and sum(w not in _STOPWORDS for w in run.split()) >= 2:
            out.append(Phrase(run, kinds[count], count))
        for word in run.split():
            if run == word and len(word) > 3:
                for noun in ("theme", "sub theme", "subtheme", "topic"):
                    out.append(Phrase(f"{word} {noun}", kinds[count], count))
                if word not in _WEAK_STOP and _root(word) not in topic:
                    out.append(Phrase(word, kinds[count], count, weak=True))
    # designs: a run of two words only one design label has ("parallel group" of "parallel-group randomised
    # trial"), and, where a count stands next to it, one such word ("six were pilot trials")
    designs = [t for t in terms if t.kind == "orientation" and not t.count.endswith(".not_reported")
               and len(t.phrase.split()) > 1]
    design_owners: dict[str, set[str]] = {}
    for term in designs:
        for run in runs(term.phrase, 1):
            design_owners.setdefault(run, set()).add(term.count)
    design_whole = {t.phrase for t in terms if t.kind == "orientation"}
    for run, counts in design_owners.items():
        if len(counts) != 1 or run in design_whole or run in _NOUNS or run in _STOPWORDS:
            continue
        (count,) = counts
        if len(run.split()) == 2:
            out.append(Phrase(run, "orientation", count))
        elif len(run.split()) == 1 and len(run) > 3 and run not in _WEAK_STOP and _root(run) not in topic:
            out.append(Phrase(run, "orientation", count, weak=True))
    out += _field_value_words(terms, topic, declared)
    return list(dict.fromkeys(out))


def _label_words_of_choices(field: Field | None) -> set[str]:
    """The words of a choice field's label (not of a yes/no field's: there the label says the value)."""
    if field is None or {_slug(v) for v in field.values} <= {"yes", "no", "not_reported"}:
        return set()
    return set(_norm(field.label).split())


def _field_value_words(terms: list[Phrase], topic: set[str], declared: Mapping[str, Field]) -> list[Phrase]:
    """A word of a multi-word field value no other value of that field has names the value ("paediatric" for
    "paediatric ICU") — but not a word of the field's own name or label, nor of the review's title: in a
    review of *home palliative care* whose field *model of home palliative care* has the value *primary
    care*, "care" is said of every study, and reading it as *primary care* misnames *specialist teams
    provided the care*. Nor a word of a theme's or sub-theme's name (*stream* of the value *upland stream* and
    of the theme *in-stream works*): alone it names neither."""
    out: list[Phrase] = []
    fields: dict[str, list[Phrase]] = {}
    themes = {w for t in terms if t.kind in ("theme", "subtheme") and not t.weak for w in t.phrase.split()}
    for t in terms:
        if t.kind == "field" and not t.count.endswith(".not_reported"):  # ("did not report an age group")
            fields.setdefault(t.count.partition(".")[0], []).append(t)
    for field_name, values in fields.items():
        own = set(_norm(field_name.replace("_", " ")).split()) | _label_words_of_choices(declared.get(field_name))
        for t in values:
            for word in t.phrase.split():
                if word in own or _root(word) in topic or word in themes:
                    continue  # "mixed units" of the field "unit": the field's own noun
                if len(word) > 3 and word not in _STOPWORDS and word not in _WEAK_STOP and len(t.phrase.split()) > 1 and \
                        not any(word in v.phrase.split() for v in values if v.count != t.count):
                    out.append(Phrase(word, "field", t.count))
    return out


# a measure of people "who took part" (enrolled, participated) is also named by "participants"
_TOOK_PART_RE = re.compile(r"\b(?:took part|taking part|participat\w*|enrolled)\b", re.I)


def _measures(counts: Mapping[str, Count], vocabulary: Vocabulary) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """What each measured quantity is a number of: participants (and the word the review uses for them,
    "nurses"), and each integer field (its label: "asymptomatic participants"); longest first."""
    found = []
    integer_fields = {f.name: f for f in vocabulary.fields if f.type in ("integer", "number", "float", "decimal")}
    for prefix in dict.fromkeys(n.rpartition(".")[0] for n in counts
                                if n.rpartition(".")[2] in ("total", "median", "min", "max", "reported")):
        if prefix != "participants" and prefix not in integer_fields:
            continue
        label = "participant" if prefix == "participants" else integer_fields[prefix].label
        # participants also by the review's own word for them, Table 1's heading ("People with infection")
        units = ["participant", "sample size"] + [_unit(w) for w in vocabulary.participants] \
            if prefix == "participants" else [_unit(label)]
        plain = _measure_head(label)
        units += ["participant"] if _TOOK_PART_RE.search(label) and prefix != "participants" else []
        if plain != label:
            units.append(_unit(plain))
        # the label's other names for its noun: "farms (households) taking part" names farms and households;
        # a participants field's own label, its people without what qualifies them ("older adults with
        # hearing loss taking part" -> "older adults"), is the review's word for its participants
        own_label = integer_fields[prefix].label if prefix in integer_fields else ""
        for name in _label_names(own_label) if own_label else ():
            units += [_unit(name)] if prefix != "participants" or name != own_label else []
        total = counts.get(f"{prefix}.total")
        if total is not None:
            # "sum of primary studies in the reviews", "total households": the noun, not the sum
            meaning = re.sub(r"^(?:the\s+)?(?:sum|total|number)\s+(?:of\s+)?|^total\s+", "", total.meaning)
            noun = re.match(r"^(?:the )?(.*?)(?:\s+(?:in|across|of|per)\b|,|$)", meaning)
            if noun and len(noun.group(1).split()) <= 4:
                units.append(_unit(noun.group(1)))
        # the head noun of a plural label: "open-source projects studied" -> "project" (not "infection" of
        # "people asymptomatic throughout infection")
        # — and of its noun without what only qualifies it: "care homes taking part" -> "home"
        heads = []
        for words in ((plain,) if _before_agent(label) != label else (label, plain)):  # (not the agent's noun)
            raw = [w for w in re.findall(r"[A-Za-z]+", words) if not re.fullmatch(r"\w+ed|studied", w)]
            heads += [_stem(raw[-1])] if len(raw) > 1 and raw[-1].lower().endswith("s") and len(raw[-1]) > 4 else []
        found.append((prefix, [u for u in units if u], heads))
    _participants_by_people_field(found, integer_fields)
    taken = {u for _, units, _ in found for u in units}
    measures = []
    for prefix, units, heads in found:  # a head noun another measure names in full is not this one's
        units = units + [h for h in heads if h not in taken]
        measures.append((prefix, tuple(sorted(dict.fromkeys(units), key=len, reverse=True))))
    return tuple(sorted(measures, key=lambda m: -max(len(u) for u in m[1])))


def _participants_by_people_field(found: list, integer_fields: Mapping[str, Field]) -> None:
    """Where the review counts no participants but one integer field counts people ("young people in the
    study"), prose calls them its participants and their number the sample size: that field takes these
    words (in place in ``found``)."""
    if any(prefix == "participants" for prefix, _, _ in found):
        return
    people = [units for prefix, units, _ in found if prefix in integer_fields and
              set(_norm(integer_fields[prefix].label).split()) & (_PEOPLE_WORDS | _SAMPLE_NOUNS)]
    if len(people) == 1:
        people[0] += ["participant", "sample size"]


def _label_names(label: str) -> list[str]:
    """The nouns a measure's label names it by, besides the label itself: each name of a bracketed
    alternative ("farms (households) taking part" -> "farms", "households") and a plural noun without a
    *with*/*without* phrase that only says which ("older adults with hearing loss" -> "older adults")."""
    names = []
    alternative = re.match(r"^(.*?)(\b[\w-]+)\s*\(([^()]+)\)(.*)$", label)
    if alternative:
        before, word, other, after = alternative.groups()
        names += [_measure_head(f"{before}{word}{after}"), _measure_head(f"{before}{other}{after}")]
    for name in [label, *names]:
        plain = re.sub(r"(?<=[a-z]s)\s+(?:with|without)\s.*$", "", _measure_head(name))
        if plain != name and len(plain.split()) <= 3:
            names.append(plain)
    return [n for n in dict.fromkeys(names) if n.strip()]


def _measure_head(label: str) -> str:
    """A measure's label without what only qualifies its noun, since prose names the noun alone:
    "follow-up in weeks" -> "follow-up", "children unvaccinated at enrolment" -> "children unvaccinated",
    "primary studies in the review" -> "primary studies", "people
    asymptomatic throughout infection" -> "people asymptomatic", "workers who took part" -> "workers", and
    a participle clause after a plural noun, "pupils taking part" / "households visited at baseline" ->
    "pupils" / "households" (not "years of schooling": no plural before the -ing word)."""
    plain = re.sub(r"\s+(?:in|per|throughout|during|at)\s+(?:the\s+|each\s+|a\s+)?[\w-]+$", "", label)
    plain = re.sub(r"\s+(?:who|that|which|whose)\s.*$", "", plain)
    return _before_agent(re.sub(r"(?<=[a-z]s)\s+(?:[a-z]+ing|[a-z]+ed)\b(?:\s+[a-z]+){0,3}$", "", plain))


def _before_agent(label: str) -> str:
    """A plural noun before a participle and its agent, the participle regular or not: "homes held by the trusts
    studied", "clinics run by nurses" -> "homes", "clinics" (the agent, *trusts*, is not what is counted)."""
    return re.sub(r"(?<=[a-z]s)\s+[a-z]+\s+by\s.*$", "", label)


def _unit(label: str) -> str:
    """The noun a measure counts, from its label: "open-source projects studied" -> "open source project"."""
    words = _norm(label).split()
    # (not a privative adjective: "children unvaccinated" are not all the children)
    while len(words) > 1 and re.fullmatch(r"\w+ed|studied|included|reported", words[-1]) and \
            not _PRIVATIVE_RE.match(words[-1]):
        words.pop()
    return " ".join(words)


def _slug(text: str) -> str:
    return _count_slug(text)


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
    # other counts the words around it could also name; with any, or when not ``sure``, no placeholder is
    # suggested: the author is asked to choose one or to mark the number [N]{count=none}
    alternatives: tuple[str, ...] = ()
    sure: bool = True


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
    if parts == ["dozen"]:
        return 12  # "a dozen studies"
    if len(parts) == 1:
        return _UNITS.get(parts[0], _TENS.get(parts[0]))
    if len(parts) == 2 and parts[0] in _TENS and parts[1] in _UNITS and 0 < _UNITS[parts[1]] < 10:
        return _TENS[parts[0]] + _UNITS[parts[1]]
    return None


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for m in _TOKEN_RE.finditer(text):
        hundreds = _hundreds(tokens, m, text)
        if hundreds is not None:
            tokens.append(hundreds)  # "Six hundred and twelve", "One hundred and thirty"
            continue
        if tokens and m.lastgroup == "word" and tokens[-1].kind == "num" and \
                tokens[-1].text.lower().split()[-1] in _TENS and \
                text[tokens[-1].end:m.start()] == " " and 0 < _UNITS.get(m.group().lower(), 0) < 10:
            last = tokens.pop()  # "twenty nine" written without its hyphen
            tokens.append(_Token("num", text[last.start:m.end()], last.start, m.end(),
                                 last.value + _UNITS[m.group().lower()]))
            continue
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


def _hundreds(tokens: list[_Token], m: re.Match, text: str) -> _Token | None:
    """A number in words past 99, merged from its words (popped off ``tokens``): "six" + "hundred" -> 600,
    then "600" + "and" + "twelve" (or "twenty-nine") -> 612; None when ``m`` continues no such number."""
    if m.lastgroup != "word" or not tokens:
        return None
    last, word = tokens[-1], m.group().lower()
    if word == "hundred" and last.kind == "num" and last.value is not None and 0 < last.value < 10 and \
            not last.text[:1].isdigit() and text[last.end:m.start()] == " ":
        tokens.pop()
        return _Token("num", text[last.start:m.end()], last.start, m.end(), last.value * 100)
    value = word_value(word)
    if value is None or not 0 < value < 100 or len(tokens) < 2 or tokens[-1].text.lower() != "and":
        return None
    hundred = tokens[-2]
    if hundred.kind != "num" or not hundred.text.lower().endswith("hundred") or \
            text[hundred.end:m.start()].lower() != " and ":
        return None
    del tokens[-2:]
    return _Token("num", text[hundred.start:m.end()], hundred.start, m.end(), hundred.value + value)


def _is_number(token: _Token) -> bool:
    return token.kind in ("num", "ph", "decimal")


# units of measurement after a number ("5 MW", "20 kg", "50 Hz"): a quantity of that unit, never a count
_UNIT_RE = re.compile(r"(?:[kMGT]Wh?|km|cm|mm|kg|mg|µg|mL|[kMG]?Hz|[kMGT]B|°C|°F|rpm|kV|mA|ms)")


def _excluded(tokens: list[_Token], i: int, text: str, depth: int = 0) -> bool:
    """True when the number at i is not a count: year, percentage, range, label, part of a compound."""
    token = tokens[i]
    prev = tokens[i - 1] if i > 0 else None
    prev2 = tokens[i - 2] if i > 1 else None
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    nxt2 = tokens[i + 2] if i + 2 < len(tokens) else None
    if token.text.isdigit() and len(token.text) == 4 and 1800 <= int(token.text) <= 2099:
        if not (nxt and nxt.kind == "word" and _NOUNS.get(_stem(nxt.text)) in ("record", "study")
                and nxt.text.lower() != _stem(nxt.text)) and not (_subject_counted(tokens, i) or _n_equals(tokens, i)):
            return True  # a year (but "the records fell to 2058", "(n = 2058)" are counts; "a 2017 study" is its year)
    if token.text[0].isdigit() and token.start > 0 and (text[token.start - 1] in "-–.:" or (
            text[token.start - 1] == "/" and not (nxt and _NOUNS.get(_stem(nxt.text)) == "study")) or
                                                        text[token.start - 1].isalpha()):
        return True  # "2014-2015", "1/2", "3.2", "q2", "RQ1"
    if nxt and nxt.text == "/" and nxt2 and nxt2.kind == "num" and i + 3 < len(tokens) and \
            _NOUNS.get(_stem(tokens[i + 3].text)) == "study":
        return False  # "9/29 studies": nine of the 29
    if prev and prev.text == "/" and prev2 and prev2.kind == "num" and nxt and _NOUNS.get(_stem(nxt.text)) == "study":
        return False
    if nxt and nxt.start == token.end and nxt.text == "-" and nxt2 and nxt2.start == nxt.end and \
            _NOUNS.get(_stem(nxt2.text)) == "study":
        return False  # "the 29-study sample"
    if nxt and nxt.start == token.end and nxt.text in ("%", "-", "–", "/", "th", "st", "nd", "rd", "°"):
        return True  # 20%, 12-month, 2–5, 1/3, ordinals
    if nxt and nxt.kind == "word" and token.kind == "num" and nxt.start == token.end:
        return True  # 3rd, 12th, 10x
    if nxt and nxt.kind == "word" and (nxt.text.lower() in _RATE_WORDS or _UNIT_RE.fullmatch(nxt.text)):
        return True
    if "-" in token.text:  # "two-year", "one-to-one" are adjectives (compound number words are whole tokens)
        return word_value(token.text) is None
    if prev and prev.kind == "word" and prev.text.lower().rstrip(".") in _LABEL_WORDS and not _verb_gapped(tokens, i) \
            and not _across_cells(text, prev, token):
        return True  # "Study 3" is a label; "community screening studies 23" after "numbered" is a count
    if prev and prev.kind == "word" and prev.text.lower() in ("first", "last", "next", "previous", "earliest",
                                                              "latest") and not (prev2 and _is_number(prev2)):
        return True  # "the first three reviews to appear": which ones, not how many
    if prev and prev.kind == "word" and re.search(r"[a-z][A-Z]|^[A-Z]{2,}[a-z]", prev.text) and prev.end + 1 >= token.start:
        return True  # a product and its version: "EndNote 20", "NVivo 12"
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
        if prev.text.lower() != "and" or _next_in_label_list(tokens, i, text, depth):
            return True  # the second number of a range; "Author 3 and 4"
    if prev and prev.text in (",",) and prev2 and prev2.kind == "num" and token.text[0].isdigit() and \
            _excluded_before(tokens, i - 2, text, depth + 1):
        if prev2.end == prev.start and not _counts_next_label(tokens, i):
            return True  # "Tables 2, 3" (not "question 1, 20 question 2": a label of its own follows)
    if token.kind == "num" and token.text.lower() == "one":
        if prev and prev.text.lower() in ("only", "just", "exactly", "merely", "single"):
            return False  # "only one of the studies": a count
        if prev and prev.kind == "word" and prev.text.lower() in _PICKING_WORDS and not _apart_from(prev2) \
                and not _closes_gapped_item(tokens, i):
            return True  # "In one Australian study, …": picks out a study, counts nothing
        if any(t.text.lower() in ("each", "per", "every") for t in tokens[max(0, i - 3):i]) or _sample_follows(tokens, i):
            return True  # "each reporting one study"; "One study … tested 13,080 residents" (see _sample_follows)
        if nxt and nxt.kind == "word" and nxt.text.lower() in ("another", "of", "can", "could", "may", "might",
                                                               "would", "should", "must", "way", "hand", "or") \
                and not _modal_passive(tokens, i):
            return True  # pronoun
        if prev and prev.kind == "word" and prev.text.lower() in ("which", "these", "them", "those") and \
                prev2 and prev2.text.lower() == "of" and nxt and nxt.kind == "word" and \
                (nxt.text.lower() in ("was", "could", "had", "did", "is", "remained") or nxt.text.lower().endswith("ed")):
            return False  # "11 further reports, of which one could not be obtained": a part, counted
        if prev and prev.kind == "word" and prev.text.lower() in ("no", "any", "every", "each", "the", "this",
                                                                  "that", "which", "someone"):
            return True
        if prev and prev.kind == "word" and prev2 and prev2.text.lower() in ("a", "an", "the", "this", "that") \
                and not _gapped_after_name(tokens, i):
            return True  # "a quantitative one"
    return False


def _closes_gapped_item(tokens: list[_Token], i: int) -> bool:
    """"severe in 12 studies, moderate in one and context-specific in two": *in one* closing its item, after
    an earlier count of the sentence, is that count's verb and noun left out (as _gapped_one reads it), not
    *in one study* picking a study out."""
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    closes = nxt is None or nxt.text in (",", ";", ".", ")") or nxt.text.lower() in ("and", "or")
    return closes and any(t.kind == "num" and t.value not in (None, 1) for t in tokens[:i - 1])


def _gapped_after_name(tokens: list[_Token], i: int) -> bool:
    """"Sweden provided two studies, the Netherlands one.": after a comma, *the* and a name (capitalised), a *one*
    that closes the item is a gapped count (see _gapped_one), not the pronoun of "the quantitative one"."""
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    return i >= 3 and tokens[i - 3].text == "," and tokens[i - 2].text.lower() == "the" and \
        tokens[i - 1].text[:1].isupper() and (nxt is None or nxt.text in (".", ";", ","))


def _modal_passive(tokens: list[_Token], i: int) -> bool:
    """"one could not be retrieved": the pronoun *one* is the agent of what one can do ("one could argue"),
    never the subject of a passive — a count is."""
    words = [t.text.lower() for t in tokens[i + 1:i + 5]]
    return len(words) >= 3 and words[0] in ("can", "could", "may", "might", "would", "should", "must") and \
        (words[1:3] == ["not", "be"] or words[1] == "be" or words[1:3] == ["n't", "be"]) and \
        any(w.endswith(("ed", "en")) or w in ("found", "obtained", "retrieved") for w in words[2:])


_SAMPLE_NOUNS = frozenset("resident passenger participant people person patient adult child worker employee "
                          "individual household case contact student pupil learner".split())


def _sample_follows(tokens: list[_Token], i: int) -> bool:
    """A sentence opening "One …" that goes on to give a sample ("… tested 13,080 residents", "… involved 712
    infected passengers") describes that one study; its "one" counts nothing."""
    people = _SAMPLE_NOUNS | _OTHER_HEADS  # ("… followed 24 clubhouse members": members of a study, not studies)
    return (i == 0 or _opens_clause(tokens, i)) and any(t.kind == "num" and t.value is not None and t.value >= 10 and any(
        _stem(u.text) in people or u.text.lower() in people for u in tokens[k + 1:k + 4])
        for k, t in enumerate(tokens) if k > 0 and (i == 0 or k > i and not any(u.text in (";", ",")
                                                                                   for u in tokens[i + 1:k])))


def _opens_clause(tokens: list[_Token], i: int) -> bool:
    """"…, and one study included 1,200 adults": *one* opening a clause of its own after a comma and *and* (*but*,
    *while*) or a semicolon, as it would open a sentence (see _sample_follows)."""
    return (i >= 2 and tokens[i - 2].text == "," and tokens[i - 1].text.lower() in ("and", "but", "while", "whereas")) \
        or (i >= 1 and tokens[i - 1].text == ";")


# "34 per cent", "twice as many times", "a 5 MW turbine": a rate or a measurement, never a count
_RATE_WORDS = ("percent", "per", "percentage", "times")
# "In one Australian study, …", "from one trial": one study picked out
_PICKING_WORDS = ("in", "at", "within", "during", "for", "by", "from")


def _apart_from(prev2: _Token | None) -> bool:
    """"apart from one …", "aside from one …", "except for one …": the one left out is counted (see _left_out)."""
    return prev2 is not None and prev2.text.lower() in ("apart", "aside", "except")


def _next_in_label_list(tokens: list[_Token], i: int, text: str, depth: int) -> bool:
    """"Author 3 and 4", "questions 2 and 3": the number after *and* continues a list of labels — but not in
    "question 2 and 128 question 1", where a label of its own follows it (_counts_next_label)."""
    return _excluded_before(tokens, i - 2, text, depth + 1) and tokens[i].text[0].isdigit() and \
        not _counts_next_label(tokens, i)


def _counts_next_label(tokens: list[_Token], i: int) -> bool:
    """"eight addressed question 2 and 128 question 1": a number after a label's number and *and* is not the
    label list's next member when a label of its own follows it; it counts what that label names."""
    nxt, nxt2 = tokens[i + 1] if i + 1 < len(tokens) else None, tokens[i + 2] if i + 2 < len(tokens) else None
    return bool(nxt and nxt.kind == "word" and nxt.text.lower().rstrip(".") in _LABEL_WORDS and nxt2
                and _is_number(nxt2))


def _names_instrument(tokens: list[_Token], i: int, lexicon: Lexicon) -> bool:
    """"AMSTAR 2", "EPPI-Reviewer 6": the number of a named instrument or program, right after its name —
    an acronym that names no country of the review ("UK 3" in a list is a count), or a compound whose last
    part is a label word."""
    prev = tokens[i - 1] if i > 0 else None
    if prev is None or prev.kind != "word" or prev.end + 1 < tokens[i].start or tokens[i].text[0].isalpha():
        return False
    if "-" in prev.text and prev.text.rsplit("-", 1)[1].lower() in _LABEL_WORDS:
        return True
    if not re.fullmatch(r"[A-Z]{3,}", prev.text):
        return False
    names = {n.lower() for country, _, _ in lexicon.countries for n in (country, *lexicon.country_names(country))}
    return prev.text.lower() not in names


def _word_of_a_name(tokens: list[_Token], i: int, lexicon: Lexicon) -> bool:
    """"nine gave one health": a number word that opens a name of the review's vocabulary (the keyword *one
    health*) is a word of that name, not a quantity."""
    if not tokens[i].text.isalpha() or i + 1 >= len(tokens):
        return False
    pair = f"{tokens[i].text.lower()} {_stem(tokens[i + 1].text)}"
    return any(t.phrase == pair or t.phrase.startswith(pair + " ") for t in lexicon.terms)


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


# words that open what follows a verb in -ed right after a count ("six worked on it", "31 informed the
# second"): after them the count's noun is understood, not read from the verb
_VERB_OBJECT_STARTS = frozenset("on in with at to for from by about the their its".split())


# nouns that, after a count's modifiers, say it counts by design ("13 a quantitative design")
_DESIGN_WORDS = ("design", "approach", "orientation", "methodology", "framework")
_JOINERS = ("and", "or", "but", "while", "whereas", "which", "that", "who")


_PREPOSITIONS = frozenset("under over across within among between beyond into onto toward towards upon via "
                          "throughout during despite without".split())


def _modifies_noun(tokens: list[_Token], j: int, steps: int, weak: frozenset[str]) -> bool:
    """The word at j modifies the counted noun right after it: one word of a label before a study noun ("the
    37 detection studies"), or, right after the number, any plain word before a noun the review counts ("63
    journal articles", "three analytical themes") — not a verb, a small word or a joiner."""
    if j + 1 >= len(tokens):
        return False
    low, following = tokens[j].text.lower(), _NOUNS.get(_stem(tokens[j + 1].text))
    if _stem(tokens[j].text) in weak and following == "study":
        return True
    return steps == 0 and following is not None and tokens[j].text.isalpha() and tokens[j].text.islower() and \
        low not in _VERBS and low not in _STOPWORDS and low not in (*_JOINERS, "each", "per") and \
        low not in _PREPOSITIONS  # "sixteen under theme (b)": a preposition's object, not the count's noun


def _modifier_of(noun: str, after: str) -> bool:
    """"9 of the 14 review findings", "three study sites": a count noun in the singular before a plural noun
    is that noun's modifier, and the plural noun (not a study) is what is counted."""
    low, nxt = noun.lower(), after.lower()
    return _stem(low) == low and nxt.islower() and re.fullmatch(r"[a-z]{3,}[^su]s", nxt) is not None and \
        _stem(nxt) not in _NOUNS and nxt not in _VERBS


def _noun_after(tokens: list[_Token], i: int, skip: frozenset[str] = frozenset(),
                designs: frozenset[str] = frozenset(), weak: frozenset[str] = frozenset()) -> _Noun:
    """What the number at i counts, from the words right after it.

    ``skip``: words of the review's vocabulary, passed over ("two Norwegian studies"); ``designs``: words
    of its design labels, which may stand for the noun ("eleven outbreak investigations").
    """
    end = tokens[i].end
    j = i + 1
    steps = 0
    named = False  # a word of a design label was passed: "nine modelling …", "three prospective cohorts"
    qualified = False  # a word of the review's vocabulary was passed: "one Malaysian and one Chinese study"
    plural = False
    while j < len(tokens) and steps < 6:
        t = tokens[j]
        low = t.text.lower()
        if t.kind == "word":
            stem = _stem(t.text)
            # (a hyphened word all of whose parts are the review's words qualifies the noun, though it
            # begins like a noun's prefix: "13 sub-Saharan African studies" is no "sub-theme")
            own_words = "-" in low and all(_stem(w) in skip for w in low.split("-"))
            noun = None if own_words else _noun_named_at(tokens, i, j, steps, named, designs)
            if noun is not None:
                return noun
            if _modifies_noun(tokens, j, steps, weak):  # "the 37 detection studies", "63 journal articles"
                j += 1
                steps += 1
                continue
            parts = [_stem(w) for w in low.split("-")]
            if low in _MODIFIERS or stem in skip or (len(parts) > 1 and all(w in skip or w in _MODIFIERS for w in parts)):
                named = named or (low not in _MODIFIERS and (stem in designs or any(w in designs for w in parts)))
                qualified = qualified or (low not in _MODIFIERS and (stem in skip or any(w in skip for w in parts)))
                plural = low.endswith("s") and not low.endswith("ss")
                j += 1
                steps += 1
                continue
            return _noun_past_modifiers(tokens, i, j, steps, named, qualified, plural, skip, designs, weak)
        if t.kind == "punct":
            noun = _noun_at_punctuation(tokens, i, j, steps, named, qualified, skip, designs, weak)
            if noun is None:  # a quote mark or an asterisk: passed over
                j += 1
                continue
            return noun
        return _Noun("implicit", end, end)
    return _Noun("study" if named else "implicit", end, tokens[j - 1].end if named else end)


def _noun_named_at(tokens: list[_Token], i: int, j: int, steps: int, named: bool,
                   designs: frozenset[str]) -> _Noun | None:
    """The word at j settles what the number at i counts: a count noun, a full text, a label, a verb; else None."""
    end = tokens[i].end
    t = tokens[j]
    low = t.text.lower()
    stem = _stem(t.text)
    if stem in ("full", "full text") or low.startswith("full-text") or low.startswith("full-length"):
        return _Noun("fulltext", end, _phrase_end(tokens, j))
    if stem == "text" and j > i + 1 and tokens[j - 1].text.lower() == "full":
        return _Noun("fulltext", end, t.end)
    if stem in ("sub-theme", "subtheme", "sub theme") or low.startswith("sub-"):
        return _Noun("guard", end, t.end)
    if stem in _NOUNS and steps == 0 and j + 1 < len(tokens) and tokens[j + 1].kind == "num" and \
            low.rstrip(".") in _LABEL_WORDS:
        return _Noun("implicit", end, end)  # "eight question 2": a label, the noun is understood
    if stem in _NOUNS:
        after = tokens[j + 1] if j + 1 < len(tokens) else None
        if after is not None and after.kind == "word" and after.start - t.end <= 1:
            head = _stem(after.text)
            if head in _OTHER_HEADS or _modifier_of(t.text, after.text):
                return _Noun("guard", end, after.end)  # "three review authors", "14 review findings"
            if _NOUNS.get(head) == "question":
                return _Noun("question", end, after.end)  # "three review questions"
        return _Noun(_NOUNS[stem], end, t.end)
    if low == "of" and steps == 0:
        return _Noun("of", end, t.end)
    if low == "in" and steps == 0 and j + 1 < len(tokens) and tokens[j + 1].text.lower() == "full":
        return _Noun("fulltext", end, tokens[j + 1].end)  # "read 203 in full"
    if low in _VERBS and steps == 0:
        return _Noun("implicit", end, end)
    if stem in _DESIGN_WORDS and steps > 0 and not (stem in designs and named):  # (not "conceptual framework")
        return _Noun("implicit", end, end)  # "13 a quantitative design"
    return None


def _participle_of_noun(tokens: list[_Token], j: int) -> bool:
    """"Pharmacist-led interventions in the 44 included studies": a participle in -ed right between a count and
    a noun the review counts, with no number after that noun, is the noun's adjective, not the count's verb
    (as it is in "44 included in the review"), so the count is not of a noun earlier in its clause."""
    if j + 1 >= len(tokens) or not tokens[j].text.lower().endswith("ed") or tokens[j + 1].kind != "word":
        return False
    after = tokens[j + 2] if j + 2 < len(tokens) else None
    return _NOUNS.get(_stem(tokens[j + 1].text)) is not None and tokens[j + 1].text.islower() and \
        not (after is not None and _is_number(after))


def _noun_past_modifiers(tokens: list[_Token], i: int, j: int, steps: int, named: bool, qualified: bool,
                         plural: bool, skip: frozenset[str], designs: frozenset[str],
                         weak: frozenset[str]) -> _Noun:
    """What the number at i counts when the word at j is neither a noun nor a modifier: a verb, a joiner, a list."""
    end = tokens[i].end
    t = tokens[j]
    low = t.text.lower()
    if steps == 0 and re.fullmatch(r"[a-z]{4,}(?:ised|ized|ated)", low):
        return _Noun("implicit", end, end)  # a verb: "six synthesised narratively"
    if steps == 0 and re.fullmatch(r"[a-z]{3,}ed", low) and j + 1 < len(tokens) and \
            tokens[j + 1].text.lower() in _VERB_OBJECT_STARTS:
        return _Noun("implicit", end, end)  # a verb and its object: "six worked on it", "31 informed the"
    if steps == 0 and low in _JOINERS and not t.text.isupper():  # (not "six WHO regions": an acronym)
        return _Noun("implicit", end, end)
    if qualified and low in ("and", "or") and j + 1 < len(tokens) and _is_number(tokens[j + 1]):
        # a noun shared by a list: "nine qualitative and 13 quantitative studies"
        shared = _noun_after(tokens, j + 1, skip, designs, weak)
        return _Noun("study" if shared.category in ("implicit", "of") else shared.category, end, t.end)
    if named and (plural or low in _VERBS or low in ("and", "or", "but", "while", "whereas", "which", "that")):
        return _Noun("study", end, tokens[j - 1].end)  # "eleven outbreak investigations were …"
    return _Noun("guard", end, t.end)


def _noun_at_punctuation(tokens: list[_Token], i: int, j: int, steps: int, named: bool, qualified: bool,
                         skip: frozenset[str], designs: frozenset[str], weak: frozenset[str]) -> _Noun | None:
    """What the number at i counts when a punctuation mark follows at j ("9/29", "29-study"); None: pass over it."""
    end = tokens[i].end
    t = tokens[j]
    if t.text == "/" and steps == 0 and j + 1 < len(tokens) and tokens[j + 1].kind == "num":
        return _Noun("of", end, t.end)  # "9/29 studies"
    if t.text == "-" and steps == 0 and t.start == tokens[i].end and j + 1 < len(tokens) and \
            _NOUNS.get(_stem(tokens[j + 1].text)) == "study":
        return _Noun("study", end, tokens[j + 1].end)  # "the 29-study sample"
    if qualified and t.text == "," and j + 1 < len(tokens) and _is_number(tokens[j + 1]):
        shared = _noun_after(tokens, j + 1, skip, designs, weak)  # "nine qualitative, 13 quantitative studies"
        return _Noun("study" if shared.category in ("implicit", "of") else shared.category, end, t.start)
    if named and t.text in (",", ";", ".", ")", ":", "(", "—", "–"):
        if t.text == "," and j + 1 < len(tokens) and _is_number(tokens[j + 1]):
            shared = _noun_after(tokens, j + 1, skip, designs, weak)  # "nine qualitative, 13 quantitative studies"
            return _Noun("study" if shared.category in ("implicit", "of") else shared.category, end, t.start)
        return _Noun("study", end, tokens[j - 1].end)  # "… and three prospective cohorts."
    if t.text in ("(", ",", ";", ".", ":", ")", "—", "–", "-", "!", "?", "]", "[") and steps == 0:
        return _Noun("implicit", end, end)
    if t.text in ("'", "’", "\"", "“", "”", "*"):
        return None
    return _Noun("implicit", end, end)


def _noun_of(tokens: list[_Token], i: int, lexicon: Lexicon) -> _Noun:
    """_noun_after with the review's vocabulary; a measure's own noun ("2,400 Kenyan households", when
    "household" is also a word of a design label) counts that measure, never studies."""
    noun = _noun_after(_without_share(tokens, i), i, lexicon.label_words, lexicon.design_words, lexicon.weak_words)
    noun = _after_adjective_list(tokens, i, noun, lexicon.design_words)
    if noun.category == "guard" and _step_participle_alone(tokens, i):
        noun = _Noun("implicit", tokens[i].end, tokens[i].end)
    if noun.category == "implicit":
        noun = _participle_before_noun(tokens, i) or noun
    if noun.category in ("study", "report") and (_read_in_full(tokens, i, noun) or _full_texts_of(tokens, i)):
        return _Noun("fulltext", noun.start, noun.end)
    if noun.category == "implicit" and _measure_head_after(tokens, i, lexicon) or _people_after(tokens, i):
        return _Noun("guard", noun.start, tokens[i + 1].end)
    if noun.category == "study":
        last = [t for t in tokens[i + 1:] if t.kind == "word" and t.end <= noun.end][-1:]
        heads = {unit.split()[-1] for _, units in lexicon.measures for unit in units}
        if last and _stem(last[0].text) in heads and _NOUNS.get(_stem(last[0].text)) is None:
            return _Noun("guard", noun.start, noun.end)
    return noun


_STEP_PARTICIPLES = frozenset("identified screened excluded assessed retrieved sought included removed".split())


def _step_participle_alone(tokens: list[_Token], i: int) -> bool:
    """"3,921 records identified, 2,858 screened": a step's participle right after a count, closing its item,
    is what became of the count's noun left out (the earlier count's), not a noun of its own."""
    if i + 1 >= len(tokens) or tokens[i + 1].text.lower() not in _STEP_PARTICIPLES:
        return False
    nxt = tokens[i + 2] if i + 2 < len(tokens) else None
    return nxt is None or nxt.text in (",", ";", ".", ")", ":") or nxt.text.lower() in ("and", "or")


_FULL_TEXTS_OF_RE = re.compile(r"\bfull[- ]?texts?(?: (?:[a-z]+ing|review|assessment))? of(?: the| all| these)?$")


def _full_texts_of(tokens: list[_Token], i: int) -> bool:
    """"Full texts of 131 reports were read", "after full-text reading of 53 reports": the reports a full-text
    noun (or full-text step) is *of* are the full texts, counted as the full-text step counts them."""
    return bool(_FULL_TEXTS_OF_RE.search(" ".join(t.text.lower() for t in tokens[max(0, i - 5):i])))


def _read_in_full(tokens: list[_Token], i: int, noun: _Noun) -> bool:
    """"after we had read 53 articles in full": papers read *in full* are the full texts assessed, not the
    studies or reports counted elsewhere in the sentence."""
    k = next((k for k in range(i + 1, len(tokens)) if tokens[k].start >= noun.end), None)
    return k is not None and k + 1 < len(tokens) and tokens[k].text.lower() == "in" and \
        tokens[k + 1].text.lower() == "full"


def _participle_before_noun(tokens: list[_Token], i: int) -> _Noun | None:
    """"all 58 included reports", "the 24 excluded records": a participle right after the number, right
    before *reports* or *records*, is an adjective of that noun, not the verb of a noun left out (studies
    keep their own rules: "13 included studies" is read with the whole it may be)."""
    if i + 2 >= len(tokens) or tokens[i + 1].kind != "word" or tokens[i + 2].kind != "word":
        return None
    verb, head = tokens[i + 1].text.lower(), _stem(tokens[i + 2].text)
    if verb not in _VERBS or not verb.endswith("ed") or _NOUNS.get(head) not in ("report", "record") or \
            (i + 3 < len(tokens) and tokens[i + 3].text.lower() == "of"):
        return None
    return _Noun(_NOUNS[head], tokens[i].end, tokens[i + 2].end)


def _measure_head_after(tokens: list[_Token], i: int, lexicon: Lexicon) -> bool:
    """"One outbreak … involved 712 people": a word of the review's vocabulary right after the number is
    passed over as a qualifier, but the head noun of a measure (*people* of *people asymptomatic*) is what
    the number counts — people, not studies — so the noun is not understood from earlier words."""
    if i + 1 >= len(tokens) or tokens[i + 1].kind != "word":
        return False
    heads = {word for _, units in lexicon.measures for unit in units for word in (unit.split()[0], unit.split()[-1])}
    word = _stem(tokens[i + 1].text)
    return word in heads and _NOUNS.get(word) is None


def _people_after(tokens: list[_Token], i: int) -> bool:
    """"In one Dutch trial, 212 patients were randomised": a plural noun of people right after the number
    (*patients*, *residents*, *people*) is what it counts, even when a design word (*randomised*) follows —
    people, not studies. A singular one is a modifier (*five patient-education trials*)."""
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if nxt is None or nxt.kind != "word" or (i + 2 < len(tokens) and tokens[i + 2].text == "-"):
        return False
    word = nxt.text.lower()
    return word in ("people", "persons", "individuals") or (word.endswith("s") and _stem(word) in _SAMPLE_NOUNS)


# words that open a clause or a new noun phrase: a list of modifiers stops at them
_SUBORDINATORS = frozenset("because since as while when where although though if so some many most all each".split())


def _after_adjective_list(tokens: list[_Token], i: int, noun: _Noun, designs: frozenset[str]) -> _Noun:
    """Modifiers the review does not know between a count and its noun: a list ("Thirteen cross-sectional,
    cohort or survey-based quantitative studies": words, hyphens, commas and *or*, no verb, no number) before
    a study noun, or plain words before a design label's own plural noun ("Seventeen purpose-built
    drivetrain test-rig experiments"); the count's noun is that noun."""
    if noun.category != "guard":
        return noun
    listed = i + 2 < len(tokens) and tokens[i + 2].text == ","
    for j in range(i + 1, min(i + 12, len(tokens))):
        t = tokens[j]
        if t.kind == "word" and _NOUNS.get(_stem(t.text)) == "study":
            return _Noun("study", noun.start, t.end) if listed and j > i + 3 else noun
        if not listed and j > i + 2 and t.text.endswith("s") and _stem(t.text) in designs and \
                any(_stem(w) in designs for w in tokens[j - 1].text.lower().split("-")):
            return _Noun("study", noun.start, t.end)
        modifier = t.kind == "word" and t.text.islower() and t.text not in _VERBS and \
            not re.fullmatch(r"[a-z]+ed", t.text) and t.text not in (_STOPWORDS | _SUBORDINATORS) - {"or"}
        if not (modifier or (listed and t.text in (",", "-") and t.start == tokens[j - 1].end)):
            return noun
    return noun


def _without_share(tokens: list[_Token], i: int) -> list[_Token]:
    """"Nine (31%) of the included studies were qualitative": a share in brackets right after a count stands
    between it and its noun (or its *of*) without changing what it counts, so the noun is read past it. The
    tokens keep their offsets, so what is read after them still points into the sentence."""
    k = i + 1
    if k + 3 < len(tokens) and tokens[k].text == "(" and tokens[k + 1].kind == "num" and \
            tokens[k + 2].text == "%" and tokens[k + 3].text == ")":
        return tokens[:k] + tokens[k + 4:]
    return tokens


def _phrase_end(tokens: list[_Token], j: int) -> int:
    end = tokens[j].end
    for t in tokens[j + 1:j + 3]:
        if t.kind == "word" and _NOUNS.get(_stem(t.text)) in ("study", "report") or _stem(t.text) == "text":
            return t.end
    return end


_SUBJECT_VERBS = ("numbered", "totalled", "totaled", "totalling", "totaling")
_CHANGE_VERBS = ("fell", "dropped", "declined", "rose", "grew", "shrank", "reduced", "decreased", "increased")


def _subject_counted(tokens: list[_Token], i: int) -> bool:
    """"… numbered 4,306", "The records identified fell to 2058": the number counts the sentence's subject."""
    prev = [t.text.lower() for t in tokens[max(0, i - 2):i]]
    return bool(prev) and (prev[-1] in _SUBJECT_VERBS or (prev[-1] == "to" and len(prev) == 2
                                                          and prev[0] in _CHANGE_VERBS)) or _verb_gapped(tokens, i)


def _across_cells(text: str, prev: _Token, token: _Token) -> bool:
    """The word and the number stand in two cells of a table row (mask_markdown keeps the bar between them as
    a tab): "| Randomised controlled trial | 11 |" is a label and its count, not "Trial 11"."""
    return "\t" in text[prev.end:token.start]


def _verb_gapped(tokens: list[_Token], i: int) -> bool:
    """"X studies numbered 19, Y studies 23 and Z studies 18": later items of a list leave out "numbered", so
    a number right after a plural counted noun, once the sentence has used such a verb, counts that noun."""
    if i < 2 or tokens[i - 1].kind != "word" or not tokens[i - 1].text.lower().endswith("s") \
            or _NOUNS.get(_stem(tokens[i - 1].text)) not in ("study", "record", "report"):
        return False
    after = tokens[i + 1].text.lower() if i + 1 < len(tokens) else "."
    return after in (",", ";", ".", "and") and any(t.text.lower() in _SUBJECT_VERBS for t in tokens[:i - 1])


def _noun_before(tokens: list[_Token], i: int, vocabulary: frozenset[str] = frozenset(),
                 designs: frozenset[str] = frozenset()) -> str | None:
    """The category of the last noun before i in the sentence (for "nine have …"), or None.

    ``vocabulary``: words of the review's own labels, never the noun ("adult" in "adult ICUs"); ``designs``:
    words of its design labels, which as a subject's head stand for studies ("Contact investigations
    numbered 17").
    """
    if _subject_counted(tokens, i):
        # "Participants in the included studies numbered 4,306": the subject's head, not the last noun
        subject = []
        for t in tokens[:i - 1]:
            if t.kind != "word" or (subject and t.text.lower() in _VERBS):
                break  # the subject ends at its first preposition or verb
            subject.append(t)
        # its head: the last noun the review counts ("The records identified (n = …) fell to"), else its last word
        head = next((t for t in reversed(subject) if _stem(t.text) in _NOUNS), None)
        if head is None and subject and tokens[i - 1].text.lower() in _SUBJECT_VERBS:
            head = subject[-1]
        if head is not None:
            return _NOUNS.get(_stem(head.text), "study" if _stem(head.text) in designs else "guard")
    for n, t in reversed(list(enumerate(tokens[:i]))):
        if t.kind != "word":
            continue
        stem = _stem(t.text)
        if stem in vocabulary:
            continue
        if n + 1 < i and tokens[n + 1].kind == "word" and _stem(tokens[n + 1].text) in _OTHER_HEADS:
            continue  # "trial registers": the first noun of a compound is not the noun
        if n + 1 < i and tokens[n + 1].kind == "num" and t.text.lower() in _LABEL_WORDS:
            continue  # "(question 1)": a label, not the noun
        if stem == "sample" and n > 0 and tokens[n - 1].text.lower() == "final":
            return "study"  # "the final sample (N = 29)"
        if stem in ("participant", "individual", "respondent", "patient", "people", "person", "user",
                    "intervention", "informant", "interviewee", "adult", "child", "caregiver", "woman", "man",
                    "men", "women", "member", "client", "programme", "program", "sample"):
            return "guard"
        if stem in _NOUNS and _NOUNS[stem] not in ("theme", "country"):
            return _NOUNS[stem]
        if stem in ("text",):
            return "fulltext"
    return None


def _subject_after_verb(tokens: list[_Token], i: int) -> str | None:
    """"Studies of people with severe mental illness predominated (n = 14)": an "(n = N)" right after the
    clause's verb counts the sentence's subject ("Studies"), not the last noun before it ("people")."""
    if i < 5 or tokens[i - 3].text != "(" or tokens[i - 4].kind != "word":
        return None
    verb = tokens[i - 4].text.lower()
    first = tokens[0]
    if not verb.endswith("ed") or _stem(verb) in _NOUNS or first.kind != "word":
        return None
    return "study" if _NOUNS.get(_stem(first.text)) == "study" else None


@dataclass(frozen=True)
class _Hit:
    position: int
    kind: str
    count: str
    end: int = 0
    weak: bool = False
    minor: bool = False


def _object_of_counted_verb(sentence: str, at: int) -> bool:
    """"Eight studies compared secondary attack rates", "18 reported speeds": what counted studies did,
    written as the object of their verb (at most three words before it), names a review question by its
    short label even where questions are not spoken of."""
    # a share in brackets ("Eight studies (6%) compared …") does not end the clause
    lead = re.sub(r"\(\s*\d[\d.,]*\s*%\s*\)", lambda m: " " * len(m.group()), sentence[:at])
    # … nor does the count itself in brackets: "Almost every study (130) addressed …"
    lead = re.sub(r"\(\s*(\d[\d,]*)\s*\)(?=\s+[a-z]+ed\b)", r" \1 ", lead)
    clause = re.split(r"[,;:()]", lead)[-1]
    verb = r"(?:\b\d[\d,]*|\b[A-Za-z]+(?:-[a-z]+)?)\s+(?:stud(?:y|ies)\s+)?(?:\w+ly\s+)?[a-z]+ed\s+"
    # "130 estimated the proportion … and eight the secondary attack rates": the verb left out after *and*
    elided = verb + r".*\band\s+(?:\d[\d,]*|[a-z]+)\s+(?:the\s+)?$"
    return bool(re.search(verb + r"(?:[\w-]+\s+){0,3}$", clause) or re.search(elided, clause)) and \
        any(t.kind == "num" and t.value is not None for t in _tokens(clause))


_PASSIVE_COUNTED_RE = re.compile(r"\s+(?:was|were)\s+(?:\w+ly\s+)?[a-z]+ed\s+(?:in|by)\s+(?:only\s+|just\s+)?"
                                 r"(?:\d[\d,]*|[a-z]+(?:-[a-z]+)?)\s+(?:stud(?:y|ies)|trials|papers|reports)\b", re.I)


def _subject_of_counted_passive(sentence: str, start: int, end: int) -> bool:
    """"Costs and use of services were examined in 11 studies": what counted studies did, written as the
    subject of a passive verb whose agent is the count, names a review question by its label (the mirror
    of _object_of_counted_verb) — and so does the subject of the next clause that leaves that verb out."""
    if not re.search(r"\w", re.sub(r"(?i)\b(?:the|a|an)\b", "", sentence[:start])):
        return bool(_PASSIVE_COUNTED_RE.match(sentence, end))
    # "… were reported by 26 studies, and effects on falls, admissions and mortality by 19": the same passive,
    # its verb left out, after a coordinator
    return bool(re.search(r"(?:,|;|\band|\bwhile|\bwhereas)\s+(?:the\s+)?$", sentence[:start], re.I)
                and re.match(r"\s+(?:in|by)\s+(?:only\s+|just\s+)?(?:\d[\d,]*|[a-z]+(?:-[a-z]+)?)\b(?!\s+[a-z]+ed\b)",
                             sentence[end:], re.I)
                and _PASSIVE_COUNTED_RE.search(sentence[:start]))


def _sibling_named(term: Phrase, sentence: str, lexicon: Lexicon) -> bool:
    """"eleven used social support as a direct strategy and six worked on it indirectly": one word of a
    sub-theme's label names it where the sentence names another sub-theme of the same theme in full."""
    if term.kind == "theme":
        return _other_theme_word(term, sentence, lexicon)
    if term.kind != "subtheme":
        return False
    theme = term.count.split(".")[1]
    normed = _norm(sentence)
    return any(t.kind == "subtheme" and not t.weak and t.count != term.count and t.count.startswith(f"subtheme.{theme}.")
               and len(t.phrase.split()) >= 2
               and _phrase_pattern(t.phrase).search(normed) for t in lexicon.terms)


def _other_theme_word(term: Phrase, sentence: str, lexicon: Lexicon) -> bool:
    """"Sixteen studies addressed services, compared with twelve on associations": a word of one theme's label
    set against a word of another theme's names each theme, as a sentence about themes would."""
    words = {_stem(w) for w in re.findall(r"[A-Za-z]+", sentence)}
    return any(t.kind == "theme" and t.weak and t.count != term.count and len(t.phrase.split()) == 1
               and t.phrase in words for t in lexicon.terms)


def _two_words_of_one_label(term: Phrase, at: int, normed: str, lexicon: Lexicon) -> bool:
    """Two different single words of one label, in the label's order with at most two words between, name it
    anywhere: "16 with the features of services" (Features of social support-oriented services),
    "strengthened it indirectly" (… strengthened indirectly)."""
    after = normed[at:].split()[1:4]
    labels = [t.phrase for t in lexicon.terms if t.count == term.count and not t.weak and " " in t.phrase]
    for other in (t.phrase for t in lexicon.terms if t.weak and t.count == term.count and t.phrase != term.phrase):
        if other in after and any(re.search(r"\b" + re.escape(term.phrase) + r"\b.*\b" + re.escape(other) + r"\b", label)
                                  for label in labels):
            return True
    return False


def _unordered_hits(term: Phrase, words: list[tuple[int, int, str]], sentence: str, start: int,
                    lexicon: Lexicon) -> list[_Hit]:
    """A yes/no field's label words, all within a stretch a few words longer than the label: its "yes" count,
    or its "no" count when a negation stands just before them ("did not disaggregate …")."""
    wanted = [_root(w) for w in term.phrase.split()]
    # a design's words must stand together; a question's may have one word between, as what counted studies did
    span = len(wanted) + {"field": 3, "question": 1}.get(term.kind, 0)
    before = sentence[:start]
    if term.kind != "field":  # (but for small words and the people a design acts on: "screened the community",
        # "screened people in institutions")
        words = [w for w in words if w[2] not in _STOPWORDS and w[2] not in _SAMPLE_NOUNS]
    same = lambda a, b: a == b or (min(len(a), len(b)) >= 5 and (a.startswith(b) or b.startswith(a)))  # noqa: E731
    for k in range(len(words)):
        window = words[k:k + span]
        stems = [_root(w) for _, _, w in window]
        if stems and any(same(stems[0], w) for w in wanted) and all(any(same(s, w) for s in stems) for w in wanted) \
                and not re.search(r"[,;:()]", sentence[window[0][0]:window[-1][1]]):
            last = max(n for n, s in enumerate(stems) if any(same(s, w) for w in wanted))
            lead = before + " " + " ".join(w for _, _, w in words[max(0, k - 3):k])
            # negated before the words or among them: "did not share data", "shared neither data nor code"
            negated = term.kind == "field" and _NEGATION_RE.search(
                " ".join(lead.split()[-3:]) + " " + sentence[window[0][0]:window[-1][1]])
            count = term.count.rpartition(".")[0] + ".no" if negated else term.count
            if term.kind == "question" and not (_object_of_counted_verb(sentence, window[0][0]) or
                                                _subject_of_counted_passive(sentence, window[0][0], window[last][1])):
                continue  # a question's words apart name it only as what counted studies did
            if count in lexicon.counts:
                return [_Hit(window[0][0], term.kind, count, window[last][1])]
    return []


def _question_words_apart(term: Phrase, words: list[tuple[int, int, str]], sentence: str, start: int,
                          lexicon: Lexicon) -> list[_Hit]:
    """"130 studies addressed the proportion of infections that remain asymptomatic" for the question
    *proportion asymptomatic* (in full: "What proportion of people infected … remain asymptomatic throughout
    infection?"): words of the question's full label may stand between its short label's words, as the one
    word _unordered_hits allows does."""
    wanted = {_root(w) for w in term.phrase.split()}
    if term.kind != "question" or not any(_root(w) in wanted for _, _, w in words):
        return []
    full = {_root(w) for t in lexicon.terms if t.count == term.count and not t.unordered
            for w in t.phrase.split()} - wanted
    kept = [w for w in words if _root(w[2]) not in full]
    return _unordered_hits(term, kept, sentence, start, lexicon) if len(kept) < len(words) else []


# The patterns of a review's terms, compiled once: a large review has thousands of terms (countries,
# keywords, field values), more than the re module's own cache holds, and compiling them again for
# every sentence made the check of a 3,000-study review take 13 s instead of 2.
@lru_cache(maxsize=None)
def _phrase_pattern(phrase: str) -> re.Pattern:
    """A phrase of normalised words, as whole words; its *and* may be written *or* ("fish abundance or biomass"
    for the question "fish abundance and biomass"), and followed by *the* ("East Asia and the Pacific" for the
    group "East Asia and Pacific")."""
    words = [r"(?:and|or)(?: the)?" if w in ("and", "or") else re.escape(w) for w in phrase.split(" ")]
    return re.compile(r"(?<![a-z0-9])" + " ".join(words) + r"(?![a-z0-9])")


@lru_cache(maxsize=None)
def _letter_pattern(phrase: str) -> re.Pattern:
    """A theme letter "(a)", with or without its opening parenthesis."""
    return re.compile(re.escape(phrase) + r"|(?<![\w(])" + re.escape(phrase[1:]), re.IGNORECASE)


@lru_cache(maxsize=None)
def _alias_pattern(alias: str) -> re.Pattern:
    """A country's name as written."""
    return re.compile(r"(?<![\w.])" + re.escape(alias) + r"(?![\w])")


def _attributes(sentence: str, start: int, end: int, lexicon: Lexicon) -> list[_Hit]:
    """Every term naming a count between start and end of the sentence, with its position."""
    segment = sentence[start:end]
    hits: list[_Hit] = []
    # phrase terms, matched on the normalised words
    words = [(m.start() + start, m.end() + start, _stem(m.group())) for m in re.finditer(r"[A-Za-z0-9]+", segment)]
    normed = " ".join(w for _, _, w in words)
    present = {w for _, _, w in words}
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
        if term.unordered:
            hits += _unordered_hits(term, words, sentence, start, lexicon) or \
                _question_words_apart(term, words, sentence, start, lexicon)
            continue
        if term.written:  # "DiD": match in the raw text, as written
            hits += [_Hit(start + m.start(), term.kind, term.count, start + m.end())
                     for m in _alias_pattern(term.written).finditer(segment)]
            continue
        if term.phrase.startswith("("):  # "(a)": match in the raw text
            for m in _letter_pattern(term.phrase).finditer(segment):
                hits.append(_Hit(start + m.start(), term.kind, term.count, start + m.end()))
            continue
        if not present.issuperset(term.phrase.split()) and not (
                (" and " in term.phrase or " or " in term.phrase) and  # (a label's *and* written *or*: see below)
                present.issuperset(w for w in term.phrase.split() if w not in ("and", "or"))):
            continue  # a phrase matches whole words only: one of its words is missing (the cheap test first)
        for m in _phrase_pattern(term.phrase).finditer(normed):
            s, e = at(m.start())[0], at(m.end() - 1)[1]
            before = normed[:m.start()].split()[-1:] or [""]
            if term.kind == "orientation" and term.phrase.split()[-1] in _NOUNS and before[0] in (
                    "thi", "the", "our", "present", "current", "same", "scoping", "a", "published", "whole", "entire"):
                continue  # "this review", "the review" is the review itself
            if term.kind == "country_group" and before[0] == "non" and "non" not in term.phrase:
                continue  # "western" inside "non-western"
            if term.kind == "keyword" and not _KEYWORD_RE.search(sentence):
                continue
            paired = term.weak and (_two_words_of_one_label(term, m.start(), normed, lexicon)
                                    or _sibling_named(term, sentence, lexicon))
            if term.weak and not (paired or _weak_ok(sentence, s, e)):
                continue
            if term.kind == "question" and not _question_named_here(term, sentence, s, e):
                continue  # a question's short label ("settings") names it only where questions are spoken of
            hits.append(_Hit(s, term.kind, term.count, e, term.weak and not paired, term.minor))
    for country, name, _ in lexicon.countries:
        for alias in lexicon.country_names(country):
            for m in _alias_pattern(alias).finditer(segment):
                hits.append(_Hit(start + m.start(), "country", name, start + m.end()))
    m = _INCLUDED_RE.search(segment)
    while m:
        if not re.search(r"\b(?:theme|sub-?theme|topic|category|group|cluster|strand)s?\W+(?:\w+\W+)?$",
                         segment[:m.start()], re.I) and not _studies_include_object(segment, m):
            # ("the sub-theme includes six studies": contains)
            hits.append(_Hit(start + m.start(), "included", "included", start + m.end()))
        m = _INCLUDED_RE.search(segment, m.end())
    for kind, step_re in _STEP_RES:
        for m in step_re.finditer(segment):
            if not _step_word_as_studies_verb(sentence, start + m.start(), start + m.end()):
                hits.append(_Hit(start + m.start(), kind, kind, start + m.end()))
    hits = _keyword_named(sentence, _theme_or_field(sentence, _field_named(
        sentence, hits + _ordinal_ellipses(sentence, start, end, lexicon), lexicon)))
    return _not_head_of_other_value(sentence, _outermost(_not_explanations(sentence, _negated_yes(sentence, hits,
                                                                                                 lexicon))))


_ACTIVE_INCLUDE_RE = re.compile(r"\s+(?!(?:in|into|for|by|as|from|on|at|here|there|were|was|are|is|and|or|so|to|"
                                r"overall|with|after|because|since|following|only)\b)[a-z]", re.I)


def _studies_include_object(segment: str, m: re.Match) -> bool:
    """"Forty-eight studies included people of all ages": *included* as the studies' own verb, with an
    object, says what they took in — not that the review included them ("the 29 studies included in the
    review", "the studies included were …")."""
    return m.group().lower() in ("included", "include", "includes") and \
        re.search(r"\b(?:studies|trials|papers|articles)\s+$", segment[:m.start()], re.I) is not None and \
        _ACTIVE_INCLUDE_RE.match(segment, m.end()) is not None


_STUDIES_SUBJECT_RE = re.compile(r"\b(?:studies|trials)\s+(?:\([^()]*\)\s+)?$", re.I)
_OBJECT_START_RE = re.compile(r"\s+(?:the|their|its|a|an|whether|how|which|what|both|each|all)\b(?!\s+(?:full|records?|"
                              r"reports?|titles?)\b)", re.I)


def _step_word_as_studies_verb(sentence: str, start: int, end: int) -> bool:
    """"Seventeen studies (45%) assessed the accuracy of triage advice", "Forty-three studies screened the
    residents or staff of an institution": a PRISMA step's verb whose subject is the counted studies and which
    has an object of its own is what those studies did (as "48 studies included all ages"), not the review's
    step."""
    return bool(re.fullmatch(r"[a-z]+ed", sentence[start:end], re.I)) and \
        _STUDIES_SUBJECT_RE.search(sentence[:start]) is not None and _OBJECT_START_RE.match(sentence, end) is not None


def _question_named_here(term: Phrase, sentence: str, start: int, end: int) -> bool:
    """A question's label (not its number) names it only where the sentence speaks of questions, or as what
    the counted studies did: the object of their verb, or the subject of a passive verb whose agent they are."""
    return bool(re.search(r"\d", term.phrase) or _QUESTION_RE.search(sentence)
                or _object_of_counted_verb(sentence, start) or _subject_of_counted_passive(sentence, start, end))


def _not_head_of_other_value(sentence: str, hits: list[_Hit]) -> list[_Hit]:
    """"primary care teams did so in nine": one word that alone names a field's value (*team* of *specialist
    team*) right after another value of that field written in full (*primary care*) is that value's head
    noun, not a second value; "A mixed population of cancer and non-cancer patients": values inside the *of*
    complement of another value's noun describe that value, they are not counted beside it."""
    def same_field(h: _Hit, o: _Hit) -> bool:
        return o.kind == "field" and o.count != h.count and o.count.partition(".")[0] == h.count.partition(".")[0] \
            and o.end < h.position
    def head_of_other(h: _Hit) -> bool:
        return h.kind == "field" and any(same_field(h, o) and (
            (" " not in sentence[h.position:h.end].strip() and " " in sentence[o.position:o.end].strip()
             and not sentence[o.end:h.position].strip())
            or _COMPLEMENT_OF_RE.fullmatch(sentence, o.end, h.position)) for o in hits)
    return [h for h in hits if not head_of_other(h)]


_COMPLEMENT_OF_RE = re.compile(r"\s+[a-z]+\s+of\s+(?:[\w-]+\s+(?:and|or)\s+)?", re.I)


def _negated_yes(sentence: str, hits: list[_Hit], lexicon: Lexicon) -> list[_Hit]:
    """A yes/no field's words under a negation ("shared neither their data nor their code", "did not share
    code") name its "no" count, whichever of its words is matched."""
    out = []
    for h in hits:
        no = h.count.removesuffix(".yes") + ".no"
        lead = " ".join(sentence[:h.position].split()[-5:])
        if h.kind == "field" and h.count.endswith(".yes") and no in lexicon.counts and \
                _NEGATION_RE.search(re.split(r"[,;:]", lead)[-1]):
            h = replace(h, count=no)
        out.append(h)
    return out


def _not_explanations(sentence: str, hits: list[_Hit]) -> list[_Hit]:
    """"| Field data (SCADA or condition monitoring system) | 24 |": a name in brackets right after another
    name explains it; the count is the first name's, so the bracketed one is passed over."""
    out = []
    for h in hits:
        opening = sentence.rfind("(", 0, h.position)
        closing = sentence.find(")", h.position)
        # (a bracket with numbers is a breakdown or a label, "(Australia 4, Canada 3)", "(question 1)")
        inside = opening >= 0 and ")" not in sentence[opening:h.position] and closing >= 0 and \
            not re.search(r"\d", sentence[opening:closing])
        explained = inside and any(o is not h and o.kind not in _STEP_KINDS and
                                   re.fullmatch(r"\s*", sentence[o.end:opening]) for o in hits)
        if not explained or h.kind in _STEP_KINDS:
            out.append(h)
    return out


def _theme_or_field(sentence: str, hits: list[_Hit]) -> list[_Hit]:
    """*severe mental health problems* is a field's value and the words of a sub-theme (see _fields_over_labels):
    in a sentence that speaks of themes ("In theme (a), … five with severe mental health problems", "The
    sub-theme on living with severe mental health problems") it names the sub-theme, elsewhere the value."""
    shared = [h for h in hits if h.minor and h.kind in ("theme", "subtheme")]
    if not shared:
        return hits
    def overlaps(h: _Hit, kinds: tuple[str, ...], among: list[_Hit]) -> bool:
        return any(o.kind in kinds and o.position < h.end and h.position < o.end for o in among)
    # another theme named elsewhere in the stretch (not the shared words' own shorter runs)
    themed = re.search(r"\b(?:sub-?)?themes?\b", sentence, re.I) or any(
        not h.minor and h.kind in ("theme", "subtheme") and not overlaps(h, ("theme", "subtheme"), shared)
        for h in hits)
    if themed:
        return [replace(h, minor=False) if h in shared else h for h in hits
                if not (h.kind == "field" and any(s.position < h.end and h.position < s.end for s in shared))]
    fields = [h for h in hits if h.kind == "field"]
    return [h for h in hits if not (h.kind in ("theme", "subtheme") and overlaps(h, ("field",), fields)
                                    and overlaps(h, ("theme", "subtheme"), shared))]


def _field_label_words(count: str, lexicon: Lexicon) -> frozenset[str]:
    """The content words of the label of the field a value's count belongs to, as its meaning gives it
    ("studies with outcomes reported: mortality" -> outcome, reported)."""
    m = re.match(r"studies with (.+?):", lexicon.counts[count].meaning or "") if count in lexicon.counts else None
    return frozenset(w for w in _content_words(_norm(m.group(1))) if len(w) > 3 and w not in _WEAK_STOP) \
        if m else frozenset()


def _field_named(sentence: str, hits: list[_Hit], lexicon: Lexicon) -> list[_Hit]:
    """"Mortality was an outcome in 31 of the studies", "Readmission was reported by 33 studies" for the list
    field *outcomes reported*, whose value *mortality* is also a sub-theme's short form: where a field's value
    and a theme or sub-theme share their words, a clause that says a word of the field's own label (and not
    *theme*) means the value, as a clause that says *keyword* means the keyword (see _keyword_named)."""
    fields = [h for h in hits if h.kind == "field"]
    labels = [h for h in hits if h.kind in ("theme", "subtheme")]
    if not fields or not labels:
        return hits
    cuts = [0, *(m.start() for m in _CONTRAST_RE.finditer(sentence)), *(m.start() for m in re.finditer(";", sentence)),
            len(sentence)]
    dropped = []
    for f in fields:
        rivals = [h for h in labels if h.position < f.end and f.position < h.end]
        if not rivals:
            continue
        start = max(c for c in cuts if c <= f.position)
        clause = sentence[start:min(c for c in cuts if c > f.position)]
        if not _THEME_WORD_RE.search(clause) and _field_label_words(f.count, lexicon) & set(_norm(clause).split()):
            dropped += rivals
    return [h for h in hits if h not in dropped]


def _keyword_named(sentence: str, hits: list[_Hit]) -> list[_Hit]:
    """"Agitation was a keyword in 17 studies": where a keyword and a theme (or a field's value) share their
    words, a sentence that says *keyword* means the keyword."""
    said = _KEYWORD_RE.search(sentence)
    if not said:
        return hits
    # ("'Stigma' was a keyword of nine studies, but the stigma sub-theme drew on 13": *keyword* speaks for its
    # own clause; past a contrast that opens another clause, the words name the review's other things)
    start = max([m.end() for m in _CONTRAST_RE.finditer(sentence, 0, said.start())], default=0)
    after = _CONTRAST_RE.search(sentence, said.end())
    end = after.start() if after else len(sentence)
    keywords = [h for h in hits if h.kind == "keyword" and start <= h.position < end]

    def overlap(a: _Hit, b: _Hit) -> bool:
        return a.position < b.end and b.position < a.end

    others = [h for h in hits if h.kind not in _STEP_KINDS and h.kind != "keyword"]
    return [h for h in hits if (h.kind == "keyword" and (h in keywords or not any(overlap(h, o) for o in others)))
            or h.kind in _STEP_KINDS or h.kind != "keyword" and not any(overlap(k, h) for k in keywords)]


# a contrast that opens a clause of its own: what one clause says of a word, the next may not
# (not a bare semicolon: "Active travel was a keyword of 31 studies; road safety of eleven" gaps the verb)
_CONTRAST_RE = re.compile(r"[,;]\s*(?:although|though|but|whereas|while|yet)\b", re.I)


def _outermost(hits: list[_Hit]) -> list[_Hit]:
    """A name inside a longer name is not named: "America" in "North America", "mental illness" in
    "serious mental illness"."""
    named = [h for h in hits if h.kind not in _STEP_KINDS]
    return [h for h in hits if h.kind in _STEP_KINDS or not any(
        o.position <= h.position and h.end <= o.end and o.end - o.position > h.end - h.position and o.count != h.count
        for o in named)]


_FIRST_OF_RE = re.compile(r"\b(?:first|second|third|fourth|fifth)\s+((?:research\s+)?(?:theme|topic|question))\b", re.I)
_BARE_ORDINAL_RE = re.compile(r"\b(?:the|our|its|their)\s+"
                              r"(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)"
                              r"(?=\s*(?:[,;.]|$|\s(?:and|or|on|by|in|with|to|at|while|whereas|was|were|is|are)\b))",
                              re.I)


# "The review asked three questions; eight studies addressed the second": the plural names the noun too
_PLURAL_OF_RE = re.compile(r"\b(?:two|three|four|five|six|seven|eight|nine|ten|\d+)\s+"
                           r"(?:review\s+)?((?:research\s+)?(?:theme|topic|question))s\b", re.I)


def _ordinal_ellipses(sentence: str, start: int, end: int, lexicon: Lexicon) -> list[_Hit]:
    """"… the first question, …; 31 informed the second and 19 the third": once a sentence names *the first
    theme* (or question; or any of them by its place: "Our second question …, our third …"), an ordinal
    standing alone — no noun after it — names the theme or question at that place, as "the second theme"
    would."""
    first = _FIRST_OF_RE.search(sentence) or _PLURAL_OF_RE.search(sentence)
    if first is None:
        return []
    noun = _norm(first.group(1))
    by_phrase = {t.phrase: t for t in lexicon.terms if t.kind in ("theme", "question")}
    hits = []
    for m in _BARE_ORDINAL_RE.finditer(sentence):  # (the whole sentence: "$" must be its end, not the stretch's)
        term = by_phrase.get(f"{m.group(1).lower()} {noun}")
        if term is not None and start <= m.start() and m.end() <= end:
            hits.append(_Hit(m.start(), term.kind, term.count, m.end()))
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
    "study": ("orientation", "theme", "subtheme", "country", "country_group", "keyword", "field", "question",
              "included", "excluded", "assessed"),
    "fulltext": ("excluded", "included", "assessed", "sought", "notretrieved", "reason"),
    "report": ("excluded", "included", "assessed", "sought", "notretrieved", "reason"),
    "record": ("database", "register", "duplicates", "excluded", "assessed", "sought", "screened", "identified",
               "included"),
}


_OTHER_SOURCES_RE = re.compile(r"\bsnowball\w*|\bcitation search\w*|\bcitation chasing\b|\bhand[- ]?search\w*|"
                               r"\breference lists?\b|\bother (?:methods|sources)\b|\bforward and backward\b|"
                               r"\bbackward and forward\b|\bgrey literature search\w*|\bwebsites?\b|\bexperts?\b", re.I)


def _other_sources(name: str, sentence: str, lexicon: Lexicon) -> str:
    """A full-text box of the search counts the other-methods branch where the sentence is about it."""
    other = {"prisma.dbr_assessed": "prisma.other_assessed", "prisma.dbr_excluded": "prisma.other_excluded",
             "prisma.dbr_sought_reports": "prisma.other_sought_reports",
             "prisma.dbr_notretrieved_reports": "prisma.other_notretrieved_reports"}.get(name)
    if other and other in lexicon.counts and _OTHER_SOURCES_RE.search(sentence):
        return other
    return name


def _count_for(category: str, kind: str, hit: _Hit) -> str:
    if kind in ("orientation", "theme", "subtheme", "country", "country_group", "keyword", "field", "question",
                "database", "reason"):
        return hit.count
    table = {
        ("study", "included"): "included", ("study", "excluded"): "prisma.dbr_excluded",
        ("study", "screened"): "prisma.records_screened", ("study", "assessed"): "prisma.dbr_assessed",
        ("fulltext", "included"): "included", ("report", "included"): "reports",
        ("record", "identified"): "prisma.identified", ("record", "included"): "included",
        ("record", "register"): "prisma.register_records", ("record", "screened"): "prisma.records_screened",
        ("record", "excluded"): "prisma.records_excluded", ("record", "duplicates"): "prisma.duplicates",
    }
    if (category, kind) in table:
        return table[(category, kind)]
    return {"excluded": "prisma.dbr_excluded", "assessed": "prisma.dbr_assessed",
            "sought": "prisma.dbr_sought_reports", "notretrieved": "prisma.dbr_notretrieved_reports"}[kind]


# Unicode hyphens and spaces read as their ASCII forms (one character for one, so offsets hold).
_SAME_LENGTH = {0x2010: "-", 0x2011: "-", 0x00A0: " ", 0x202F: " ", 0x2009: " ", 0x2007: " "}


# A clause about one study ("One German study traced …", "a review [@x] found …"): its citation reports
# that study's own numbers, wherever the citation stands in the clause.
_ONE_STUDY_RE = re.compile(
    r"(?<!\bonly )(?<!\bjust )\b(?:an?|another|one|that|each|the)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:study|trial|paper|article|survey|evaluation|report|analysis|meta-analysis|synthesis|review)\b(?!-)", re.I)
_OTHER_WORK_RE = re.compile(r"\b(?:that|an?|another|the|this|one) (?:earlier|previous|prior|other|older|existing|"
                            r"recent|umbrella|similar|related|cited|same) (?:scoping |systematic )?"
                            r"(?:review|study|trial|paper|article|meta-analysis|synthesis)\b", re.I)
_OWN_SINGULAR_RE = re.compile(r"\b(?:the|this|our)\s+(?:(?:scoping|systematic|present|current)\s+)?review\b", re.I)


def _cited_parts(sentence: str, citations: Iterable[tuple[int, int]], tokens: list[_Token] = (),
                 numbers: list[int] = ()) -> list[tuple[int, int]]:
    """The parts of a sentence that report cited work.

    In each clause (split at ";" and ": ") holding a citation: from the citation on, or the whole clause
    when it is about one study ("A review [@x] found 43 studies"). A citation after a count names the
    studies counted ("Three literature reviews were included [@a; @b; @c]"), so it does not guard it.
    When the first clause opens with its citation ("@smolak2013 reviewed 43 studies; …") the whole
    sentence is about the cited work.
    """
    # (start, end, narrative): "@smith2020 found" / "Smith et al. (2017) found" name the cited study as the
    # subject of what follows; "[@smith2020]" / "(Smith, 2017)" label what precedes them
    spans = sorted({(c[0], c[1], c[2] if len(c) > 2 else True) for c in citations} |
                   {(m.start(), m.end(), sentence[m.start()] not in "[(") for m in _CITATION_RE.finditer(sentence)})
    if not spans:
        return []
    bounds = [0, *(m.end() for m in re.finditer(r";|:(?=\s)", sentence)), len(sentence)]
    clauses = list(zip(bounds, bounds[1:]))
    parts = []
    for n, (start, end) in enumerate(clauses):
        inside = [s for s, _, _ in spans if start <= s < end]
        if not inside:
            continue
        narrative = [s for s, _, n in spans if start <= s < end and n]
        lead = sentence[start:inside[0]]
        subject = re.match(r"\W*(?:(?:in|by|from|for|within|according to|while|whereas|and|but|further(?:more)?|"
                           r"also|similarly|likewise|however)\W+)*", lead, re.I)
        cue = _ONE_STUDY_RE.match(lead, subject.end())
        one_study = (bool(cue) and not _OWN_SINGULAR_RE.match(lead, cue.start())) or bool(_OTHER_WORK_RE.search(lead)) \
            or bool(re.search(r"\b(?:by|in|of|from)\s*$", lead))  # "the 43 studies reviewed by Smolak et al."
        counts_before = [k for k in numbers if start <= tokens[k].start < inside[0]]
        if n == 0 and not counts_before:
            return [(0, len(sentence))]
        if one_study:
            parts.append((start, end))
        elif narrative:
            parts.append((narrative[0], end))
        # a bracketed citation after a count names the studies counted: "one from Malaysia [@a] and one from …"
    return parts


_LIST_KINDS = ("orientation", "theme", "subtheme", "country", "country_group", "keyword", "field", "question",
               "database", "reason")


def _listed_claims(sentence: str, tokens: list[_Token], lexicon: Lexicon,
                   cited_parts: Iterable[tuple[int, int]]) -> dict[int, Claim]:
    """Bare counts in a list: "Norway (5), England (3)", "qualitative (9)", "constrained caring (15 studies)"."""
    out: dict[int, Claim] = {}
    for k in range(1, len(tokens)):
        t = tokens[k]
        if t.kind != "num" or tokens[k - 1].text not in ("(", "=", ",", ";"):
            continue  # (the cheap test first: most tokens)
        anchor = _list_item_anchor(tokens, k)
        if anchor is None or any(a <= t.start < b for a, b in cited_parts):
            continue
        paren, close = anchor
        lead = sentence[:paren]
        one_study = t.value != 1 and re.search(r"\b(?:a|an|one|the|this|that|each)\s+(?:[\w-]+\s+){0,3}(?:study|trial|"
                                               r"paper|article)\s*$", lead, re.I)
        start = max(0, paren - 120)
        hits = [h for h in _attributes(sentence, start, paren, lexicon) if h.kind in _LIST_KINDS]
        if _in_reasons_list(lead):
            hits = [h for h in hits if h.kind == "reason"]
            if not hits:
                out[k] = None  # a reason for excluding the review does not count: no count, and no other
                continue
        # the thing named right before the parenthesis, perhaps with its noun: "screening studies (11)"
        # (a closing quote may stand between: "'recovery' (5)")
        hits = [h for h in hits if re.fullmatch(r"[\s)'’\"”]*(?:[\w-]+\s+){0,2}", lead[h.end:] + " ")
                and len(lead[h.end:].split()) <= 2]
        if not hits:
            hits = _superlative_subject(sentence, paren, lexicon) or _value_in_other_form(sentence, paren, lexicon)
        if not hits:
            continue
        hit = max(_strong_over_weak(hits), key=lambda h: (h.end, h.end - h.position, -_kind_rank(h.kind)))
        if one_study and hit.kind != "orientation":
            # "A Kenyan trial (14)", "a Norwegian study (n = 212)": one study's citation or sample, no count of
            # studies (but "a case study (1)", and a design's count however wrong: "a naturalistic case study (n = 2)")
            out[k] = None
            continue
        if hit.kind == "database":
            continue  # records of one database: the noun is records, not studies (handled with its noun)
        out[k] = _claim(sentence, t, hit.count, tokens[close].end, hit)
    return out


def _list_item_anchor(tokens: list[_Token], k: int) -> tuple[int, int] | None:
    """Where the name of a bare listed count ends, and the token that closes the count: "Norway (5)",
    "experience reports (n = 8)", "constrained caring (15 studies)" — and a name and its count separated by a
    comma inside an item of their own: "(CBA, 12)", "Designs: RCT, 9; cRCT, 4; …" (the item closed by a
    bracket, a semicolon or the sentence's end), or by a semicolon inside a bracket: "(CI; 17 studies)". None
    for any other number."""
    t = tokens[k]
    if t.kind != "num" or t.value is None or tokens[k - 1].text not in ("(", "=", ",", ";"):
        return None
    close = k + 1
    if close < len(tokens) and tokens[close].kind == "word" and _NOUNS.get(_stem(tokens[close].text)) == "study":
        close += 1
    if tokens[k - 1].text == ";":
        # "Contact investigations (CI; 17 studies)": a bracket that gives a name's short form, then its count
        closed = close < len(tokens) and tokens[close].text == ")"
        return _comma_item_anchor(tokens, k, close) if closed else None
    if tokens[k - 1].text == ",":
        return _comma_item_anchor(tokens, k, close)
    if close >= len(tokens) or tokens[close].text != ")":
        return None
    paren_at = k - 3 if tokens[k - 1].text == "=" and k >= 3 and tokens[k - 2].text.lower() in ("n", "k") else k - 1
    return (tokens[paren_at].start, close) if tokens[paren_at].text == "(" else None


def _comma_item_anchor(tokens: list[_Token], k: int, close: int) -> tuple[int, int] | None:
    """"(CBA, 12)", "RCT, 9;": the count closes its item and the name (at most four words) opens it, after a
    bracket, a semicolon, a colon or the sentence's start — so "…, 14 effects on safety" is no item."""
    if close < len(tokens) and tokens[close].text not in (")", ";", "."):
        return None
    opener = next((j for j in range(k - 2, -1, -1) if tokens[j].kind == "punct" and tokens[j].text != "-"), -1)
    if opener >= 0 and tokens[opener].text not in ("(", ";", ":"):
        return None
    if not 1 <= k - 1 - (opener + 1) <= 4 or (close < len(tokens) and tokens[opener].text == "(") != \
            (close < len(tokens) and tokens[close].text == ")"):
        return None
    return tokens[k - 1].start, min(close, len(tokens) - 1)


_REASONS_LIST_RE = re.compile(r"\bexclu\w*\b(?:(?!\b(?:and|but|while|whereas)\s+\w+ed\b)[^.;:])*?"
                              r"(?:\bfor\b|\bbecause\b|\bdue to\b|\bowing to\b|\bon (?:the )?grounds? of\b|"
                              r"\breasons?\b|:)", re.I)


def _in_reasons_list(lead: str) -> bool:
    """"Full texts were excluded for wrong outcome (n = 48), wrong design (n = 37) …": a bare count in a list
    after *excluded for / because / due to* counts the full texts excluded for the reason named before it —
    a count of exclusion reasons (when the review keeps them), never a theme or design whose word the reason
    happens to use (*wrong design*, *the wrong setting*)."""
    return bool(_REASONS_LIST_RE.search(lead))


def _strong_over_weak(hits: list[_Hit]) -> list[_Hit]:
    """"Qualitative designs (7)": a word several labels share or that alone says little (*design* of
    *single-case design*) is passed over when the same name also holds a label's own word."""
    strong = [h for h in hits if not h.weak]
    return strong or hits


def _value_in_other_form(sentence: str, paren: int, lexicon: Lexicon) -> list[_Hit]:
    """"run by municipalities (39 studies)": the word before a bare count in brackets is a one-word field
    value in another form (the value "municipal"), when it begins with the value and no other value."""
    word = re.search(r"([A-Za-z][\w-]*)\W*$", sentence[:paren])
    if word is None:
        return []
    root = _root(_stem(word.group(1)))
    values = {t.count for t in lexicon.terms if t.kind == "field" and " " not in t.phrase and len(t.phrase) >= 6
              and not t.count.endswith(".not_reported") and root.startswith(t.phrase)}
    if len(values) != 1:
        return []
    return [_Hit(word.start(1), "field", values.pop(), word.end(1))]


def _superlative_subject(sentence: str, paren: int, lexicon: Lexicon) -> list[_Hit]:
    """"Kenyan studies were the most numerous (14)": a bare count after a superlative predicate is its
    subject's, when the subject names one thing."""
    clause_start = max(sentence.rfind(c, 0, paren) for c in ",;:") + 1
    m = re.fullmatch(r"(.*?)\b(?:were|was|are|is|formed|made up|constituted|represented)\s+the\s+"
                     r"(?:most|largest|biggest|single largest)\b[\w\s-]*", sentence[clause_start:paren], re.I | re.S)
    if not m:
        return []
    hits = [h for h in _attributes(sentence, clause_start, clause_start + m.end(1), lexicon) if h.kind in _LIST_KINDS]
    return hits if len({h.count for h in hits}) == 1 else []


def _respective_claims(sentence: str, tokens: list[_Token], numbers: list[int], lexicon: Lexicon,
                       cited_parts: Iterable[tuple[int, int]]) -> dict[int, Claim]:
    """"Canada and Norway contributed two and four studies respectively": the counts in the order named.

    Without "respectively", only a list of names directly followed by its verb and as many counts
    ("West Africa and South Asia contributed 14 and 15"). "The two themes hold 13 and 14 studies
    respectively": the themes in the review's order."""
    respectively = "respectively" in sentence.lower()
    runs: list[list[int]] = []
    for k in numbers:
        if tokens[k].kind != "num":
            continue
        if runs and re.fullmatch(r"\s*(?:,|and|or|, and)\s*", sentence[tokens[runs[-1][-1]].end:tokens[k].start]):
            runs[-1].append(k)
        else:
            runs.append([k])
    run = next((r for r in runs if len(r) > 1), None)
    if run is None or any(a <= tokens[run[0]].start < b for a, b in cited_parts):
        return {}
    hits = [h for h in _attributes(sentence, 0, tokens[run[0]].start, lexicon) if h.kind in _LIST_KINDS]
    named = _coordinated(sentence, hits)
    if respectively and not named:
        themes = sorted(n for n in lexicon.counts if n.startswith("theme."))
        every = re.search(r"\b(?:the|both|all)\s+(?:(\w+)\s+)?themes\b", sentence[:tokens[run[0]].start], re.I)
        if every and len(themes) == len(run) and word_value(every.group(1) or "") in (None, len(run)):
            return {k: _claim(sentence, tokens[k], name, tokens[k].end, None) for k, name in zip(run, themes)}
    if len(named) < len(run):
        return {}
    if not respectively and (len(named) != len(run) or len(named) < 2 or not re.fullmatch(
            r"\s*(?:[a-z]+\s+){1,3}", sentence[named[-1].end:tokens[run[0]].start])):
        return {}
    named = named[-len(run):]
    return {k: _claim(sentence, tokens[k], h.count, tokens[k].end, h) for k, h in zip(run, named)}


def _coordinated(sentence: str, hits: list[_Hit]) -> list[_Hit]:
    """The last run of names joined by commas and "and" / "or" ("India, Japan and Canada")."""
    named: list[_Hit] = []
    for h in sorted(hits, key=lambda h: h.position):
        if named and named[-1].count == h.count:
            continue
        if named and not re.fullmatch(r"[\s,]*(?:and|or)?\s*(?:the\s+)?", sentence[named[-1].end:h.position]):
            named = []  # not one coordinated list
        named.append(h)
    return named


_EACH_RE = re.compile(r"\beach\b", re.I)
_EACH_BEFORE_RE = re.compile(r"^\s*(?:[a-z]+\s+)?each\s+(?:[a-z]+\s+){1,3}$", re.I)
_EACH_AFTER_RE = re.compile(r"^\s*(?:[a-z-]+\s+){0,2}?each\b(?!\s+(?:of|other|one|study|reporting|with)\b)", re.I)


def _each_claims(sentence: str, tokens: list[_Token], numbers: list[int], lexicon: Lexicon,
                 cited_parts: Iterable[tuple[int, int]]) -> dict[int, list[Claim]]:
    """"South Korea and Spain each contributed 4 studies", "India, Japan and Canada contributed two studies
    each": one number of studies stated for every name of a coordinated list right before its verb — a claim
    for each name (of one kind), not one for the list or none."""
    found: dict[int, list[Claim]] = {}
    if not _EACH_RE.search(sentence):
        return found  # the cheap test first: most sentences say no "each"
    for k in numbers:
        token = tokens[k]
        if token.kind != "num" or any(a <= token.start < b for a, b in cited_parts):
            continue
        noun = _noun_of(tokens, k, lexicon)
        clause_start = max(sentence.rfind(c, 0, token.start) for c in ";:") + 1
        named = _coordinated(sentence, [h for h in _attributes(sentence, clause_start, token.start, lexicon)
                                        if h.kind in _LIST_KINDS])
        if noun.category != "study" or len(named) < 2 or len({h.kind for h in named}) != 1:
            continue
        between = sentence[named[-1].end:token.start]
        if not (_EACH_BEFORE_RE.match(between) or _EACH_AFTER_RE.match(sentence[noun.end:])) or \
                re.search(r"[,;]", between):
            continue
        found[k] = [_claim(sentence, token, h.count, noun.end, h) for h in named]
    return found


_MEASURE_STATS = (
    ("median", re.compile(r"\bmedian\b", re.I)),
    ("max", re.compile(r"\b(?:largest|biggest|most(?! of\b)|maximum|max|highest|up to)\b", re.I)),  # (not "most of the 38")
    ("min", re.compile(r"\b(?:smallest|fewest|least|minimum|min|lowest)\b", re.I)),
    ("total", re.compile(r"\b(?:total|in all|altogether|overall|combined|together|all told|took part|"
                         r"participated|taking part|enrolled|recruited|involved|randomi[sz]ed|examined|analy[sz]ed|"
                         r"surveyed|across (?:all |the )?(?:\w+ )?(?:studies|trials|papers))\b",  # (summed over them)
                         re.I)),
)
_REPORTING_RE = re.compile(r"\b(?:report|gave|give|state|count|record|provide|mention|specif|document|say|said)\w*",
                           re.I)
_NEGATION_RE = re.compile(r"\b(?:not|no|never|neither|nor|without|fail(?:ed)? to|omit\w*)\b|n't\b", re.I)


# "between 6 and 142 per study": the range of a measure over the studies, not of years or ages
_PER_STUDY_RE = re.compile(r"\s*(?:per|a|each|in a|in any)\s+(?:single\s+)?(?:study|trial|paper|review)\b", re.I)


def _share_or_unit(tokens: list[_Token], k: int) -> bool:
    """"34%", "12-month", "1/3", "5 MW", "aged 20 to 45": a number stuck to a sign, before a unit, or an age
    is no count of anything."""
    nxt = tokens[k + 1] if k + 1 < len(tokens) else None
    lead = " ".join(t.text.lower() for t in tokens[max(0, k - 3):k])
    return (nxt is not None and ((nxt.text in ("%", "-", "–", "/") and nxt.start == tokens[k].end)
                                 or bool(_UNIT_RE.fullmatch(nxt.text)))) or bool(
        re.search(r"\b(?:aged?|ages)(?: (?:from|between))?(?: \S+ (?:to|and|-|–))?$", lead))


def _sample_mention(low: str, lexicon: Lexicon) -> re.Match | None:
    """"sample", "sample size" stand for the participants — unless the review counts samples themselves
    (a count ``samples``: "The study files list 22 samples")."""
    if "samples" in lexicon.counts:  # "sample size", "study size" still say how many took part
        return re.search(r"\bsample sizes?\b|\b(?:study|studies|trial|trials)(?:'|’)?s? sizes?\b", low)
    return re.search(r"\bsample(?:s| sizes?)?\b|\bsizes?\b", low)


_PEOPLE_TAKING_PART_RE = re.compile(r"\b(?:enrolled|recruited)\s+(?:\d[\d,.]*|[a-z-]+)\s+"
                                    r"(?:people|persons|individuals|participants)\b|"
                                    r"\b(?:people|persons|individuals)\s+(?:took part|taking part|participated)\b|"
                                    # "reported how many people they enrolled" (batch 29)
                                    r"\b(?:how many|the number of)\s+(?:people|persons|individuals)\s+(?:they\s+|it\s+|were\s+)?"
                                    r"(?:enrolled|recruited)\b")


def _people_taking_part(low: str) -> re.Match | None:
    """"The median study enrolled 45.5 people": people a study enrolled (or who took part) are its
    participants, where the sentence names no measure otherwise."""
    return _PEOPLE_TAKING_PART_RE.search(low)


def _sample_measure(lexicon: Lexicon) -> str:
    """The measure a study's size stands for: its participants, where the review counts them."""
    names = [name for name, _ in lexicon.measures]
    return "participants" if "participants" in names else names[0]


def _ages_or_durations(sentence: str, m: re.Match) -> bool:
    """A range of ages or durations ("from 8 to 70 years", "aged 20 to 45", "2-6 weeks"), not of a measure."""
    return bool(re.match(r"\s*(?:years?|months?|weeks?|days?|hours?|%|per ?cent)\b", sentence[m.end():], re.I)
                or re.search(r"\b(?:aged?|ages)\s*(?:from|between)?\s*$", sentence[:m.start()], re.I))


def _measure_claims(sentence: str, tokens: list[_Token], numbers: list[int], lexicon: Lexicon,
                    cited_parts: list[tuple[int, int]]) -> dict[int, Claim | None]:
    """Numbers of participants (or of another integer field): their total, median, smallest and largest,
    and how many studies report them. Token index -> the claim, or None for such a number that states
    no count (one study's sample, a mean)."""
    if not lexicon.measures:
        return {}
    low = sentence.lower()
    mentions = _outside_names(sentence, _measure_mentions(low, lexicon.measures), lexicon)
    sample = _sample_mention(low, lexicon) or _people_taking_part(low)
    if not mentions and not sample:
        return {}
    if not mentions:
        mentions = [(sample.start(), sample.end(), _sample_measure(lexicon))]
    out: dict[int, Claim | None] = {}
    ends = _range_ends(sentence, tokens)
    quantities = [k for k, t in enumerate(tokens) if t.kind == "num" and t.value is not None and not (
        len(t.text) == 4 and t.text.isdigit() and 1800 <= t.value <= 2099)
        and (k in ends or not _share_or_unit(tokens, k)) and not _any_one(tokens, k)]
    for k in quantities:
        t = tokens[k]
        if any(a <= t.start < b for a, b in cited_parts):
            continue
        if k not in ends and t.start > 0 and (sentence[t.start - 1] in "-–/.:" or sentence[t.start - 1].isalpha()):
            continue  # "SARS-CoV-2", "q2": part of a name
        claim = _measure_claim(_MeasureReading(sentence, tokens, k, quantities, mentions, ends, lexicon))
        if claim is not _NOT_A_MEASURE:
            out[k] = claim
    return out


# what _measure_claim and _measure_stat return for a number that is no measure's at all (left to the other
# rules), and what _measure_stat returns for a measure's number that states no count
_NOT_A_MEASURE = "not a measure"
_NO_COUNT = "no count"


@dataclass(frozen=True)
class _MeasureReading:
    """One number of a sentence that names a measure: the sentence's tokens, its measured quantities
    (token indexes), the measure's mentions (start, end, measure) and the ends of its ranges."""

    sentence: str
    tokens: list[_Token]
    k: int
    quantities: list[int]
    mentions: list[tuple[int, int, str]]
    ends: dict[int, str]
    lexicon: Lexicon


def _measure_claim(m: _MeasureReading):
    """The claim one number states about a measure, None when it states none, or _NOT_A_MEASURE."""
    sentence, tokens, k, mentions, lexicon = m.sentence, m.tokens, m.k, m.mentions, m.lexicon
    t = tokens[k]
    if _hedged(tokens, k) or _per_other_unit(sentence, t.start, lexicon):
        return None  # "fewer than 50 sites": a bound; "Classes had 20 to 30 pupils": not per study
    # (but "… in the largest study, and the median was 16": the median is over the studies)
    one_study = _about_one_study(sentence, t.start) and \
        not re.search(r"\bthe (?:median|typical) (?:study|trial|paper)\b", sentence, re.I) and \
        not re.search(r"[,;]\s+(?:and|while|whereas)\s+the median (?:was|is)\s*$", sentence[:t.start], re.I)
    own = _noun_of(tokens, k, lexicon).category
    if own == "guard" and k + 1 < len(tokens) and tokens[k + 1].text.lower() in ("per", "a", "each"):
        own = "implicit"  # "a median of 3 per study"
    after = [n for n in mentions if 0 <= n[0] - t.end <= 30 and re.fullmatch(r"[\s\w-]*", sentence[t.end:n[0]])
             and len(sentence[t.end:n[0]].split()) <= 2] or _head_of_named_measure(m)
    # "287 primary studies": the measure's own name, though its head is a noun the review counts
    names_measure = own == "study" and any(n[0] - t.end <= 1 and n[1] >= _noun_of(tokens, k, lexicon).end
                                           for n in after)
    subject_stat = _stat_of_subject(sentence, tokens, k, mentions)
    if not names_measure and (own not in ("guard", "implicit", "of") or (own == "guard" and not after)):
        after = []
        if own not in ("study", "implicit") and subject_stat is None and k not in m.ends:
            return _NOT_A_MEASURE  # "2 and 31 years of experience": a number of something else
    stat = _measure_stat(m, own, after, subject_stat)
    if stat in (_NOT_A_MEASURE, _NO_COUNT):
        return None if stat == _NO_COUNT else stat
    if stat is None and not after and not re.match(r"\s*(?:in all|in total|altogether|overall)\b",
                                                   sentence[t.end:], re.I):
        reporting = _reporting_claim(sentence, tokens, k, mentions, lexicon)
        return _NOT_A_MEASURE if reporting is None else reporting
    mention = after[0] if after else min(mentions, key=lambda n: abs(n[0] - t.start))
    if stat is None and after and re.search(r"\b(?:the|all|our)\s+(?:\w+\s+)?(?:studies|trials|papers|reviews)\b",
                                              sentence[:t.start], re.I) and not one_study and \
            not _REPORTED_MEASURE_RE.match(sentence, t.end):
        stat = "total"  # "the studies drew on 486 participants" (not "Of the 38 studies, 29 reported participant
        # numbers": how many studies report the measure)
    if stat is None and after and _REPORTED_MEASURE_RE.match(sentence, t.end) and own in ("guard", "implicit", "study"):
        stat = "reported"
    if stat is None:
        stat = next((name for name, pattern in _MEASURE_STATS if pattern.search(sentence[:t.start])
                     or (name == "total" and pattern.search(sentence[t.end:]))), None)
    if stat is None or stat == "" or (one_study and stat in ("total", "median") and
                                      not re.search(r"\ball\b|\btotal\b|\bper study\b", sentence, re.I)):
        return None
    # "The largest study enrolled 1,387" states the maximum; "In the largest survey, 2,400 … were
    # interviewed" narrates inside that one study, as "In one study, …" does
    framed = re.match(r"\s*(?:in|at|within|for) (?:the|that) (?:largest|smallest|biggest) [^,;]*,", sentence, re.I)
    if one_study and stat in ("min", "max") and (framed and t.start > framed.end() or not re.search(
            r"\bstud(?:y|ies)\b.*\b(?:range|ranged|varied)|\b(?:largest|smallest|biggest|highest|lowest|fewest)\b",
            sentence, re.I)):
        return None
    name = f"{mention[2]}.{stat}"
    return _claim(sentence, t, name, max(t.end, mention[1]) if after else t.end, None) \
        if name in lexicon.counts else None


_REPORTED_MEASURE_RE = re.compile(r"\s+(?:studies\s+)?(?:reported|gave|stated|recorded|specified)\s+(?:their\s+|the\s+)?"
                                  r"(?:[\w-]+\s+){0,2}?(?:numbers?|participants|sample sizes?)\b", re.I)


def _head_of_named_measure(m: _MeasureReading) -> list[tuple[int, int, str]]:
    """"The 130 studies that reported their sample size enrolled 28,431 people in total": the head noun of
    a measure (*people*) right after the number, where the sentence names that measure elsewhere (*sample
    size*), is that measure's mention — the nearest one, when several measures share the head."""
    if not (_measure_head_after(m.tokens, m.k, m.lexicon) or _people_after(m.tokens, m.k)) or \
            _stem(m.tokens[m.k + 1].text) in ("sample", "size"):
        return []  # ("22 samples": *sample size* names the measure, but samples are not its people)
    return [min(m.mentions, key=lambda n: abs(n[0] - m.tokens[m.k].start))]


def _measure_stat(m: _MeasureReading, own: str, after: list, subject_stat: str | None) -> str | None:
    """Which statistic of a measure a number states, from its place: the end of a range, a total ("in
    all"), a median, the largest or smallest; None when its place says none (its verb may still say how
    many studies report the measure); _NO_COUNT or _NOT_A_MEASURE for a range of something else."""
    sentence, tokens, k, quantities, mentions = m.sentence, m.tokens, m.k, m.quantities, m.mentions
    t = tokens[k]
    before = sentence[max(0, t.start - 25):t.start].lower()
    stat = m.ends.get(k) or subject_stat
    if stat is None and re.match(r"[\s\w-]*?\b(?:in all|in total|altogether|overall)\b", sentence[t.end:t.end + 40],
                                 re.I):
        stat = "total"  # "18,940 households in all", even in a sentence that gave the median before
    k_next = next((j for j in quantities if j > k), None)
    k_prev = max((j for j in quantities if j < k), default=None)
    unit_after = lambda j: any(0 <= n[0] - tokens[j].end <= 3 for n in mentions)  # noqa: E731
    range_ = re.search(r"\b(?:from|between)\s*$", before) or (
        k_next is not None and unit_after(k_next) and
        re.fullmatch(r"\s*(?:to|-|–)\s*", sentence[t.end:tokens[k_next].start]))
    if stat is not None:
        pass
    elif range_ and k_next is not None and \
            re.fullmatch(r"\s*(?:to|and|-|–)\s*", sentence[t.end:tokens[k_next].start]):
        if _noun_after(tokens, k_next, m.lexicon.label_words).category == "guard" and not any(
                0 <= n[0] - tokens[k_next].end <= 30 for n in mentions) and not _PER_STUDY_RE.match(
                sentence, tokens[k_next].end):
            return _NOT_A_MEASURE  # "between 2 and 31 years"
        if _range_of_studies(tokens, k_next, m.lexicon):
            return _NO_COUNT
        stat = "min"
    elif k_prev is not None and re.fullmatch(r"\s*(?:to|and|-|–)\s*", sentence[tokens[k_prev].end:t.start]) and \
            (after or own != "guard") and (unit_after(k) and re.fullmatch(r"\s*(?:to|-|–)\s*",
                                                                          sentence[tokens[k_prev].end:t.start]) or
            re.search(r"\b(?:from|between)\s*$", sentence[max(0, tokens[k_prev].start - 12):tokens[k_prev].start])):
        stat = "max"
    elif re.search(r"\b(?:median|mean|average)\b(?:\s+(?:of|was|is|were|sample size|size))*\s*[(:=]?\s*$", before) \
            or re.search(r"\bmedian (?:study|trial|paper|review)\s+\w+ed\s*$", before):
        # "(median 48)", "the median study examined two"
        stat = "median" if "median" in before else ""
    near = sentence[max(0, t.start - 40):t.start]
    # "numbered 18 in the smallest study and 27,150 in the largest", "612 schools took part in the largest
    # study": the study the number is in, named after it, says which (before any superlative further back)
    within = re.match(r"\s*(?:(?!(?:in|at|of)\b)[\w-]+\s+){0,4}?(?:in|at)\s+the\s+(?:(?P<max>largest|biggest)|smallest)\b",
                      sentence[t.end:], re.I)
    if (stat is None or stat == subject_stat == "total" and k not in m.ends) and within and \
            not re.search(r"\d", within.group()):  # (over "numbered"'s total: "numbered 18 in the smallest study")
        stat = "max" if within.group("max") else "min"
    # "the largest 5,403", "the highest number in any single study was 2,194"
    if stat is None and re.search(r"\b(?:largest|biggest|most(?! of\b)|maximum|highest)\b(?:\s+\w+){0,6}\s*$", near, re.I):
        stat = "max"
    elif stat is None and re.search(r"\b(?:smallest|fewest|least|minimum|lowest)\b(?:\s+\w+){0,6}\s*$", near, re.I):
        stat = "min"
    return stat


def _range_of_studies(tokens: list[_Token], k_end: int, lexicon: Lexicon) -> bool:
    """"Between 20 and 25 studies measured carer burden": a range whose noun is the studies themselves is a
    hedged number of studies, not the smallest and largest of a measure the sentence also names."""
    return _noun_after(tokens, k_end, lexicon.label_words).category == "study"


_OTHER_UNIT_RE = re.compile(r"\W*(?:the\s+|all\s+|most\s+)?(?:[\w-]+\s+){0,2}(?P<head>[a-z]{3,}s)\s+"
                            r"(?:had|have|has|held|contained|comprised|included|enrolled|ranged|varied)"
                            r"(?:\s+(?:from|between))?\s*(?:[\w,]+\s*(?:to|and|-|–)\s*)?$",  # (or the range's end)
                            re.I)


def _per_other_unit(sentence: str, at: int, lexicon: Lexicon) -> bool:
    """"Classes had 20 to 30 pupils", "Tutoring groups held 2 to 4 pupils": a number of a measure's people
    whose subject is a unit other than a study (a class, a group, a school) gives that unit's size, not the
    studies' total, median or range. The subject opens the sentence, right before its verb; a study noun, a
    sample or the measure itself as the subject ("Trials had 20 to 300 pupils") keeps the number the measure's."""
    subject = _OTHER_UNIT_RE.fullmatch(sentence[:at])
    if subject is None:
        return False
    head = _stem(subject.group("head"))
    measure_words = {w for _, units in lexicon.measures for unit in units for w in unit.split()}
    return head not in _NOUNS and head not in measure_words and head not in ("sample", "size")


def _any_one(tokens: list[_Token], k: int) -> bool:
    """"in any one study", "each one": *one* after a determiner picks out a study; it is no number of people."""
    return tokens[k].text.lower() == "one" and k > 0 and tokens[k - 1].text.lower() in ("any", "each", "every", "no")


def _about_one_study(sentence: str, at: int) -> bool:
    """The clause (between semicolons) holding offset at is about one study: "In the largest trial, …"."""
    start = sentence.rfind(";", 0, at) + 1
    end = sentence.find(";", at)
    clause = sentence[start:end if end >= 0 else len(sentence)]
    return any(not _OWN_SINGULAR_RE.match(clause, m.start()) for m in _ONE_STUDY_RE.finditer(clause)) or \
        bool(re.search(r"\b(?:in|at|from|for) one\b", clause, re.I))


def _range_ends(sentence: str, tokens: list[_Token]) -> dict[int, str]:
    """"range 18-2,400", "ranged from 3 to 41": token index -> "min" / "max" for the ends of a measure's
    range, however the dash is written (not a range of ages or durations)."""
    ends = {}
    for m in re.finditer(r"\brang(?:e|ed|ing)\s*(?:from\s*|[:=]\s*)?(\d[\d,]*)\s*(?:-|–|to)\s*(\d[\d,]*)", sentence, re.I):
        if _ages_or_durations(sentence, m):
            continue  # "ranged from 8 to 70 years", "aged 20 to 45": ages or durations, not the measure
        for group, stat in ((1, "min"), (2, "max")):
            k = next((k for k, t in enumerate(tokens) if t.start == m.start(group)), None)
            if k is not None:
                ends[k] = stat
    return ends


def _outside_names(sentence: str, mentions: list[tuple[int, int, str]], lexicon: Lexicon
                   ) -> list[tuple[int, int, str]]:
    """"nine evaluated practice guidelines or prescribing audit": a measure's noun (*practices*) inside a longer
    name of the review (the sub-theme *Practice guidelines and prescribing audit*) is that name's word."""
    if not mentions:
        return mentions
    names = [h for h in _attributes(sentence, 0, len(sentence), lexicon)
             if h.kind in ("theme", "subtheme", "orientation", "field", "keyword", "question") and not h.weak]
    units = {prefix: " " + " ".join(u) + " " for prefix, u in lexicon.measures}
    # (but a name the measure's own label holds stays its mention: "monitoring stations" is a value of the
    # field "how exposure was assessed" and the words of the measure "air-quality monitoring stations used")
    return [m for m in mentions if not any(h.position <= m[0] and m[1] <= h.end and h.end - h.position > m[1] - m[0]
                                           and f" {_norm(sentence[h.position:h.end])} " not in units.get(m[2], "")
                                           for h in names)]


def _measure_mentions(low: str, measures) -> list[tuple[int, int, str]]:
    """(start, end, measure prefix) of each place the sentence names a measure's noun: its words as
    written first (longest measure first), then scattered ("infected people"), where nothing else is."""
    mentions: list[tuple[int, int, str]] = []
    for scattered in (False, True):
        for prefix, units in measures:
            for unit in units:
                if scattered:
                    spans = _scattered_unit(low, unit)
                else:
                    words = [re.escape(w) for w in unit.split()]
                    if words[-1].endswith("y"):
                        words[-1] = words[-1][:-1] + "(?:y|ie)"  # "primary study" names "primary studies"
                    spans = [m.span() for m in
                             re.finditer(r"(?<![\w-])" + r"(?:e?s)?[\s-]+".join(words) + r"(?:e?s)?(?![\w-])", low)]
                    # (each word perhaps plural: "villages or borrower groups" for "village or borrower group")
                for start, end in spans:
                    if not any(a < end and start < b for a, b, _ in mentions):
                        mentions.append((start, end, prefix))
    people = {unit.split()[0] for _, units in measures for unit in units}
    for prefix, units in measures:
        for start, end in _privative_mentions(low, units, people):
            if not any(a < end and start < b for a, b, _ in mentions):
                mentions.append((start, end, prefix))
    return _narrowed_mentions(low, mentions)


def _narrowed_mentions(low: str, mentions: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """"how many participants were asymptomatic": one measure's people said to be what another measure
    counts (a verb or *who* between, no comma, no *and*) are that narrower measure's, not the first's;
    "the fewest unvaccinated children": one measure's word right before another's noun modifies it, and the
    two words are one mention of the narrower measure."""
    def narrowed(m: tuple[int, int, str]) -> bool:
        return any(o[2] != m[2] and o[0] >= m[1] and re.fullmatch(
            r"\s+(?:who\s+|that\s+)?(?:were|was|are|is|remained|stayed|became)\s+(?:\w+\s+)?", low[m[1]:o[0]])
            for o in mentions)
    kept = sorted((m for m in mentions if not narrowed(m)), key=lambda m: m[0])
    out: list[tuple[int, int, str]] = []
    for m in kept:
        if out and out[-1][2] != m[2] and low[out[-1][1]:m[0]] == " ":
            out[-1] = (out[-1][0], m[1], out[-1][2])
        else:
            out.append(m)
    return out


_PRIVATIVE_RE = re.compile(r"^(?:a|an|non-?|un)(\w{5,})$")
_NEGATED_NOUN_RE = re.compile(r"\b(?:free of|without|no|never \w+|not \w+|did not \w+)\s+(?:any\s+)?([a-z]{5,})|"
                              r"\b([a-z]{5,})-free\b")


def _privative_mentions(low: str, units: tuple[str, ...], people: Iterable[str] = ()) -> list[tuple[int, int]]:
    """A measure named by a privative adjective (*people asymptomatic throughout infection*) is also named by
    its root negated: "free of symptoms", "never developed symptoms", "had no symptoms", "symptom-free"
    (the root of the written noun begins the adjective's stem: *symptom* of *symptomatic*)."""
    adjectives = [w for unit in units for w in unit.split() if _PRIVATIVE_RE.match(w)]
    stems = {_PRIVATIVE_RE.match(w).group(1) for w in adjectives}
    spans = []
    # "of whom 11,925 remained asymptomatic", "the number who stayed asymptomatic": the adjective alone,
    # where its people are the antecedent of who/whom or named in the sentence
    # (or another measure's people: "how many participants were asymptomatic")
    heads = {unit.split()[0] for unit in units if len(unit.split()) > 1} | set(people)
    if re.search(r"\bwho(?:m)?\b", low) or any(re.search(rf"\b{re.escape(h)}(?:e?s)?\b", low) for h in heads):
        for adjective in dict.fromkeys(adjectives):
            spans += [m.span() for m in re.finditer(rf"(?<![\w-]){re.escape(adjective)}(?![\w-])", low)]
    for m in _NEGATED_NOUN_RE.finditer(low):
        noun = _stem(m.group(1) or m.group(2))
        if any(stem.startswith(noun) for stem in stems):
            spans.append(m.span())
    return spans


def _passive_report_before(sentence: str, at: int) -> re.Match | None:
    """"… was reported in 130 studies", "… was given by 40 studies": the reporting verb, passive, before the
    count of the studies that report."""
    lead = re.search(r"\b(?:was|were|is|are)\s+(?:\w+\s+)?(?:reported|given|stated|recorded)\s+(?:in|by)\s+(?:only\s+)?$",
                     sentence[:at], re.I)
    return _REPORTING_RE.search(sentence, lead.start()) if lead else None


def _whole_after_part(tokens: list[_Token], k: int) -> bool:
    """"Forty-four of the 48 studies reported …": the 48 is the whole the part is taken from; the verb
    tells what the part did."""
    return k >= 3 and [t.text.lower() for t in tokens[k - 2:k]] in (["of", "the"], ["of", "all"]) and \
        tokens[k - 3].kind == "num"


def _whole_before_part(sentence: str, t: _Token) -> bool:
    """"Of the 134 studies, 130 reported …": the whole, named before its part; the part's verb is not its."""
    return bool(re.match(r"\W*(?:of|among|across)\s+(?:the|these|all)\s*$", sentence[:t.start], re.I) and
                re.match(r"(?:\s+[\w-]+){0,3}\s*,\s*(?:\d|[a-z]+\s)", sentence[t.end:], re.I) and
                not _REPORTING_RE.search(sentence[t.end:sentence.find(",", t.end)]))


def _reporting_claim(sentence: str, tokens: list[_Token], k: int, mentions: list[tuple[int, int, str]],
                     lexicon: Lexicon) -> Claim | None:
    """"Thirty-eight studies counted their asymptomatic participants": how many studies report a measure
    (or, negated, do not)."""
    t = tokens[k]
    named = _studies_named_by_reporting(sentence, t.start, mentions)
    if named is not None:
        return _claim(sentence, t, named, t.end, None) if named in lexicon.counts else None
    noun = _noun_of(tokens, k, lexicon).category
    # "… was reported by 130 studies; four did not report it": a passive verb before the number is its own,
    # not the next clause's
    verb = _passive_report_before(sentence, t.start) or _REPORTING_RE.search(sentence, t.end)
    if noun not in ("study", "implicit", "of") or not verb or _whole_before_part(sentence, t) or \
            _whole_after_part(tokens, k) or _STUDIES_IN_REPORTS_RE.match(sentence, verb.start() - 1):
        return None  # ("64 studies, reported in 79 papers": published, not reporting a measure)
    # "… did not say how many they covered": the measure the sentence named before
    how_many = re.match(r"\w*\s+how many\s+(?:they|it|each|the study|the studies)\b", sentence[verb.start():])
    # "How many people stayed free of symptoms was reported in 130 studies": the measure is the subject
    subject = re.match(r"\W*(?:how many|the number (?:of|who))\b", sentence, re.I)
    # "… was 212, across the 41 studies that reported it": a pronoun object is the measure named before
    pronoun = re.match(r"\w*\s+(?:it|them|this|these|one)\b", sentence[verb.start():]) and \
        any(m[1] <= t.start for m in mentions)
    if not (any(m[0] > verb.start() for m in mentions) or how_many or subject or pronoun):
        return None
    mention = next((m for m in mentions if m[0] > verb.start()), mentions[-1])
    # "All but four studies reported it": the four are those that did not
    # "… did not report it", and "Six studies gave no sample size": a verb whose object is "no …"
    negated = bool(_NEGATION_RE.search(sentence[t.end:verb.end()]) or re.match(r"\s+no\b", sentence[verb.end():])) \
        != _left_out(sentence, t.start)
    name = f"{mention[2]}.{'not_reported' if negated else 'reported'}"
    return _claim(sentence, t, name, mention[1], None) if name in lexicon.counts else None


_STUDIES_REPORTING_RE = re.compile(r"\bstud(?:y|ies)\s+(?:(?:that|which)\s+(?P<neg>did not\s+|didn't\s+|failed to\s+)?"
                                   r"(?:report|state|give|record|provide|specif)\w*|(?:reporting|stating|giving))"
                                   r"\s+(?P<what>[\w\s'-]{1,50}?)\s*\(\s*(?:[nk]\s*=\s*)?$", re.I)


def _studies_named_by_reporting(sentence: str, start: int, mentions: list[tuple[int, int, str]]) -> str | None:
    """"Studies that did not report their sample size (n = 6)": a bracketed count right after a noun phrase of
    studies that (do not) report a measure counts them: the measure's ``not_reported`` (or ``reported``)."""
    found = _STUDIES_REPORTING_RE.search(sentence[:start])
    if found is None:
        return None
    mention = next((m for m in mentions if found.start("what") <= m[0] < found.end("what")), None)
    if mention is None:
        return None
    return f"{mention[2]}.{'not_reported' if found.group('neg') else 'reported'}"


# "the median number of residents … was 36", "the fewest asymptomatic people found in a study was 0": the
# statistic, then the measure, then (perhaps where it was found) the copula before the number
_STAT_SUBJECT_RE = re.compile(r"\b(?:the\s+)?(?:(?P<stat>median|total)\s+(?:number|count)\s+of"
                              r"|(?P<extreme>largest|smallest|fewest|most|highest|lowest|maximum|minimum)"
                              r"(?:\s+(?:number|count)\s+of)?)\s+$", re.I)
_COPULA_RE = re.compile(r"^(?:\s+(?:\w+ed|found|seen))?"
                        r"(?:\s+(?:per|in each|in a|in any|in one|across(?: the)?|in the)\s+(?:\w+\s+)?(?:study|studies|trial|trials))?"
                        r"\s+(?:was|were|is|came to|stood at)\s*$", re.I)


def _stat_of_subject(sentence: str, tokens: list[_Token], k: int, mentions: list[tuple[int, int, str]]) -> str | None:
    """A number that completes a sentence whose subject is the measure states it whole, however far the
    measure's name stands before it: "Participants numbered 2,761 across the studies" (the total), "The
    median number of residents per study was 36" (the median). None when the number is not so placed."""
    t = tokens[k]
    if _measure_totalled(sentence, tokens, k, mentions):
        return "total"
    for start, end, _ in mentions:
        if end > t.start:
            continue
        if _subject_counted(tokens, k) and (tokens[k - 1].start <= end + 1 and not re.search(r"\w", sentence[:start])
                                            or _participled_subject(sentence, start, end, tokens[k - 1].start)):
            return "total"  # the measure is the subject of "numbered", "totalled"
        lead = _STAT_SUBJECT_RE.search(sentence[:start])
        if lead and _COPULA_RE.match(sentence[end:t.start]):
            return _stat_named(lead)
    return None


# the measure as the subject of "totalled" or "numbered": "The neighbourhoods totalled …", "… the number of users, which totalled …"
_TOTALLED_SUBJECT_RE = re.compile(r"(?:^|[,;:]|\bwhich|\bthat)\s*(?:the\s+|their\s+|these\s+)?"
                                  r"(?:(?:total\s+)?(?:number|count)\s+of\s+(?:the\s+)?)?$", re.I)


def _measure_totalled(sentence: str, tokens: list[_Token], k: int, mentions: list[tuple[int, int, str]]) -> bool:
    """"The neighbourhoods totalled 19,904 across the studies that reported them", "Twenty-seven studies
    reported the number of users, which totalled 486,215": a number right after *totalled* whose subject is
    the measure — named just before the verb, perhaps through *which*, with nothing but a determiner before
    it in its clause — is its total, whatever the rest of the sentence says of the studies reporting it."""
    if k == 0 or tokens[k - 1].text.lower() not in ("totalled", "totaled", "numbered"):
        return False
    verb = tokens[k - 1]
    for start, end, _ in mentions:
        if end > verb.start:
            continue
        link = sentence[end:verb.start]
        # (its participle may follow it: "The households surveyed totalled …")
        if re.fullmatch(r"\s*(?:[a-z]+ed\s+)?", link, re.I) and _TOTALLED_SUBJECT_RE.search(sentence[:start]):
            return True
        if re.fullmatch(r"\s*(?:[a-z]+ed\s*)?,\s*which\s+", link, re.I):
            return True
    return False


def _participled_subject(sentence: str, start: int, end: int, verb: int) -> bool:
    """"Households surveyed or interviewed numbered 6,214", "The pupils tutored totalled 912": the measure's noun
    opens the sentence (perhaps after *the*) and only participles stand between it and the verb."""
    return not re.search(r"\w", re.sub(r"^\W*(?:the|all)\b", "", sentence[:start], flags=re.I)) and \
        bool(re.fullmatch(r"\s*(?:[a-z]+ed(?:\s*,\s*|\s+(?:or|and)\s+|\s+))*", sentence[end:verb]))


def _stat_named(lead: re.Match) -> str:
    """The statistic a subject names: "median", "total", or an extreme ("the fewest …" is the minimum)."""
    if lead.group("stat"):
        return lead.group("stat").lower()
    return "min" if lead.group("extreme").lower() in ("smallest", "fewest", "lowest", "minimum") else "max"


def _decimal_medians(sentence: str, tokens: list[_Token], lexicon: Lexicon,
                     cited_parts: list[tuple[int, int]]) -> list[Claim]:
    """"(median 46.5)", "the median number of people who stayed asymptomatic was 12.5 per study": a median
    of an even number of studies may be a half, the one decimal that states a count; it is the median of
    the measure named nearest."""
    if not any(t.kind == "decimal" for t in tokens):
        return []  # most sentences: no need to look for the measures' nouns
    mentions = _measure_mentions(sentence.lower(), lexicon.measures) if lexicon.measures else []
    sample = (_sample_mention(sentence.lower(), lexicon) or _people_taking_part(sentence.lower())) \
        if lexicon.measures and not mentions else None
    if sample:  # "Study size ranged …, with a median of 46.5": the participants
        mentions = [(sample.start(), sample.end(), _sample_measure(lexicon))]
    out = []
    for k, t in enumerate(tokens):
        if t.kind != "decimal" or not mentions or any(a <= t.start < b for a, b in cited_parts):
            continue
        lead = sentence[max(0, t.start - 80):t.start]
        median = re.search(r"\bmedian\b[^;\d]*$", lead, re.I)
        if median is None or _STATISTICS_RE.search(lead[median.end():]) or re.search(r"\bage\b", lead[median.end():]):
            continue
        if _own_other_noun(tokens, k, mentions):
            continue
        mention = min(mentions, key=lambda m: abs(m[0] - t.start))
        name = f"{mention[2]}.median"
        if name in lexicon.counts:
            number = float(t.text.replace(",", ""))
            out.append(replace(_claim(sentence, t, name, t.end, None), number=number))
    return out


def _own_other_noun(tokens: list[_Token], k: int, mentions: list[tuple[int, int, str]]) -> bool:
    """"a median of 2.4 recommendations per resident": a decimal followed by a plural noun of its own, not a
    measure's, is a number of that noun (a rate), though a measure is named after it."""
    nxt = tokens[k + 1] if k + 1 < len(tokens) else None
    return nxt is not None and nxt.kind == "word" and re.fullmatch(r"[a-z]{3,}[^su]s", nxt.text) is not None and \
        _NOUNS.get(_stem(nxt.text)) is None and not any(a <= nxt.start < b for a, b, _ in mentions)


def _scattered_unit(low: str, unit: str) -> list[tuple[int, int]]:
    """A measure's noun of several words written in another order or with words between: "people with
    infection" as "infected people", "people with PCR-confirmed infection", "people were infected";
    "people asymptomatic" as "people who stayed asymptomatic". Every content word's root, within six
    words, and no clause break between them."""
    roots = {_verb_root(w) for w in unit.split() if w not in _STOPWORDS}
    if len(roots) < 2:
        return []
    words = [(m.start(), m.end(), _verb_root(m.group().lower().rsplit("-", 1)[-1]))
             for m in re.finditer(r"[\w-]+|[,;:()]", low)]
    spans = []
    for k, (start, _, root) in enumerate(words):
        if root not in roots:
            continue
        seen, j = {root}, k
        while j + 1 < len(words) and j + 1 - k < 6 and words[j + 1][2] not in ",;:()" and seen != roots:
            j += 1
            seen.add(words[j][2])
        if seen >= roots:
            spans.append((start, words[j][1]))
    return spans


_HEDGES = ("roughly", "approximately", "approx", "about", "around", "nearly", "almost", "some", "over", "under",
           "circa", "ca", "more than", "fewer than", "less than", "at least", "at most", "close to", "up to",
           "upwards of", "in excess of", "well over", "just over", "just under", "no fewer than", "no more than",
           "as many as", "as few as", "the best part of", "something like", "an estimated", "estimated")


# verbs of the search and screening steps: after them "about", "around", "over" estimate the number found
_STEP_VERB_BEFORE_RE = re.compile(r"\b(?:identified|found|retrieved|screened|located|obtained|returned|yielded|"
                                  r"included|excluded|assessed|reviewed) (?:around|about|over)$")


def _hedged(tokens: list[_Token], i: int) -> bool:
    """"roughly 2,800 records", "more than 20 of the studies": a bound or estimate, not a count to compare."""
    words = [t.text.lower() for t in tokens[max(0, i - 4):i] if t.kind == "word" or t.text in ("~", "≈")]
    if tokens[i - 1].text in ("~", "≈") if i > 0 else False:
        return True
    after = " ".join(t.text.lower() for t in tokens[i + 1:i + 3])
    if after in ("or so", "or more", "or fewer", "or less", "or thereabouts") or after.startswith("odd "):
        return True  # "15 or so studies"
    tail = re.sub(r" an?$", "", " ".join(words))  # "fewer than a dozen": the article of the number word
    if re.search(r"\w+ed (?:around|about|over|under)$", tail) and not _STEP_VERB_BEFORE_RE.search(tail):
        return False  # "organised around four questions": a preposition (not "identified about 50": a guess)
    return any(tail == h or tail.endswith(" " + h) for h in _HEDGES)


def _guarded_parts(sentence: str, cited: bool, citations: Iterable[tuple[int, int]], tokens: list[_Token],
                   numbers: list[int]) -> list[tuple[int, int]]:
    """The stretches of a sentence about cited work (or about an earlier version of the review)."""
    if cited or _about_other_version(sentence) or _another_review_found(sentence):
        return [(0, len(sentence))]
    return _cited_parts(sentence, citations, tokens, numbers) + _counted_by_another_review(sentence)


# "the 25 included in an earlier review of virtual simulation": a count, its noun and a step verb, then the
# other review whose step it was
_IN_ANOTHER_REVIEW_RE = re.compile(
    r"\d[\d,]*(?:\s+[\w-]+){0,3}?\s+(?:included|found|identified|reviewed|pooled|synthesi[sz]ed)\s+(?:in|by)\s+"
    r"(?:an?|another|one)\s+(?:earlier|previous|prior|older|other|recent|similar|related|(?:19|20)\d\d)\s+"
    r"(?:[\w-]+\s+){0,2}?(?:review|meta-analysis|overview|synthesis)\b", re.I)


def _counted_by_another_review(sentence: str) -> list[tuple[int, int]]:
    """The stretches of a sentence whose count another review made ("Our 52 studies contrast with the 25
    included in an earlier review"): that review's numbers, as cited work's are. The cheap test first."""
    if "review" not in sentence.lower() and "synthesis" not in sentence.lower():
        return []
    return [(m.start(), m.end()) for m in _IN_ANOTHER_REVIEW_RE.finditer(sentence)]


def _about_other_version(sentence: str) -> bool:
    """"The first version of the review, published in 2020, included 79 studies", "The 2019 update of a
    review of X found 31 trials": a sentence about an earlier version of the review (or of another review)
    states that version's numbers, as cited work does."""
    return bool(re.match(r"\W*(?:in\s+)?(?:(?:the|an?|its|our)\s+(?:first|earlier|previous|prior|original|older)\s+"
                         r"(?:version|edition|iteration|update)s?\b|the\s+(?:19|20)\d\d\s+(?:version|edition|update)\s+"
                         r"of\s+(?:an?|another)\b)", sentence, re.I))


# "A previous review of X found 139 studies", "A Cochrane review of … included 23 trials": a sentence whose
# subject is a review named with an indefinite article (or as earlier, previous, …), followed by its verb
_ANOTHER_REVIEW_RE = re.compile(
    r"\W*(?:an?|another|one|an? (?:earlier|previous|prior|older|recent|similar|related))\s+(?:[\w-]+\s+){0,2}?"
    r"(?:review|meta-analysis|overview|synthesis)\s+(?:(?:of|on|about|from|by|in)\s+(?:[\w'’-]+\s+){1,6}?)?"
    r"(?:\([^()]*\)\s+)?(?:\w+ly\s+)?(?:included|found|identified|reviewed|pooled|covered|located|retrieved|"
    r"synthesi[sz]ed|analy[sz]ed|examined|gathered|counted)\b(?P<rest>.*)", re.I)


_YEAR_OR_BRACKET_RE = re.compile(r"\([^()]*\)|\b(?:19|20)\d\d\b")


def _another_review_found(sentence: str) -> bool:
    """A sentence opening with another review as its subject and its verb before any number ("An earlier review
    of peer support included 13 trials") states that review's numbers, as a citation would; "A review of 29
    studies found …" (a number before the verb) is left to the other rules."""
    m = _ANOTHER_REVIEW_RE.match(sentence)
    # its year ("A 2018 review of …") and a bracket ("(published in 2015)") describe that review, count nothing
    lead = _YEAR_OR_BRACKET_RE.sub(" ", sentence[:m.start("rest")]) if m else ""
    return bool(m) and not any(t.value is not None for t in _tokens(lead) if _is_number(t)) and \
        not _OWN_SINGULAR_RE.match(sentence.lstrip(" *_\"'"))


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
    notes = {k: next((a for a in annotations if a[0] <= t.start and t.end <= a[1]), None)
             for k, t in enumerate(tokens) if _is_number(t)}
    listed = {k for k in _listed_claims(sentence, tokens, lexicon, ())}
    # Years, percentages, decimals, labels are not quantities of anything the review counts: they neither
    # make claims nor cut the sentence into the stretches that belong to each count ("Ten studies (34%) …").
    numbers = [k for k in notes if tokens[k].kind == "ph" or (
        tokens[k].kind == "num" and tokens[k].value is not None and (notes[k] or k in listed or not (
            _excluded(tokens, k, sentence) or _names_instrument(tokens, k, lexicon) or _word_of_a_name(tokens, k, lexicon))))]
    cited_parts = _guarded_parts(sentence, cited, citations, tokens, numbers)
    claims: list[Claim] = []
    nouns: dict[int, str] = {}
    measured = _measure_claims(sentence, tokens, numbers, lexicon, cited_parts)
    measured.update(_listed_claims(sentence, tokens, lexicon, cited_parts))
    measured.update(_respective_claims(sentence, tokens, numbers, lexicon, cited_parts))
    each = _each_claims(sentence, tokens, numbers, lexicon, cited_parts)
    for idx, i in enumerate(numbers):
        token = tokens[i]
        note = notes[i]
        if i in each and note is None and i not in measured:
            claims += each[i]
            nouns[i] = "study"
            continue
        if token.kind != "num" or token.value is None:
            nouns[i] = _noun_of(tokens, i, lexicon).category if token.kind == "ph" else "guard"
            continue
        if note is not None:
            if note[2] != "none":
                claims.append(Claim(token.value, note[2], token.start, token.end, token.text,
                                    sentence[note[0]:note[1]].strip()))
            nouns[i] = "guard"
            continue
        if i in measured:
            nouns[i] = "guard"
            if measured[i] is not None:
                claims.append(measured[i])
            continue
        if _hedged(tokens, i):
            nouns[i] = _noun_of(tokens, i, lexicon).category
            continue
        seg_start = tokens[numbers[idx - 1]].end if idx > 0 else 0
        seg_end = _stretch_end(sentence, tokens, numbers, idx)
        in_cited = any(a <= token.start < b for a, b in cited_parts)
        claim = _classify(sentence, tokens, i, numbers, idx, seg_start, seg_end, lexicon, in_cited, nouns)
        if claim is not None:
            claims.append(claim)
    # the ends of a range of sample sizes are not counts of studies, but they are the smallest and largest
    claims += [c for k, c in measured.items() if c is not None and k not in numbers]
    claims += _decimal_medians(sentence, tokens, lexicon, cited_parts)
    claims = _none_recorded(sentence, tokens, numbers, claims, lexicon)
    claims = _not_reported_item(sentence, tokens, numbers, claims, lexicon)
    claims = _papers_describing_studies(sentence, tokens, numbers, claims, lexicon)
    claims = _papers_reported_the_studies(sentence, tokens, numbers, claims, lexicon)
    claims = _unsaid_after_values(sentence, tokens, numbers, _the_remaining(sentence, tokens, numbers, claims, lexicon),
                                  lexicon)
    claims = _unsaid_which(sentence, tokens, numbers, claims, lexicon)
    claims = _reasons_by_their_words(sentence, tokens, numbers, claims, lexicon)
    claims = _reasons_in_brackets(sentence, tokens, numbers, claims, lexicon)
    claims = _bracketed_reasons(sentence, tokens, numbers, claims, lexicon)
    claims = _unreported_by_label_words(sentence, tokens, numbers, claims, lexicon)
    claims = _unsaid_which_value(sentence, tokens, numbers, claims, lexicon)
    claims = _none_of_the_values(sentence, tokens, numbers, claims, lexicon)
    claims = _mixed_value_in_other_words(sentence, tokens, numbers, claims, lexicon)
    claims = _label_words_in_any_order(sentence, tokens, numbers, claims, lexicon, cited_parts, set(measured))
    claims = _parallel_field_values(sentence, claims, lexicon)
    claims = _parallel_values_before(sentence, claims, lexicon)
    claims = _inside_one_study(sentence, tokens, claims, lexicon)
    claims = _compared_pair(sentence, tokens, numbers, claims, lexicon)
    claims = _people_left_unsaid(sentence, tokens, numbers, claims, lexicon)
    claims = _extreme_in_any_study(sentence, tokens, numbers, claims, lexicon)
    claims = _pooled_in_analysis(sentence, tokens, numbers, claims, lexicon)
    claims = _compared_in_brackets(sentence, tokens, claims, lexicon, cited_parts)
    claims = _unsaid_in_other_verbs(sentence, tokens, numbers, claims, lexicon)
    claims = _possessed_whole(sentence, tokens, claims, lexicon, cited_parts)
    claims = [_with_prisma_totals(c, lexicon) for c in claims if not _last_of_enumeration(sentence, c)]
    return sorted(_files_or_review(sentence, tokens, numbers, claims, lexicon), key=lambda c: c.start)


_NEW_SUBJECT_RE = re.compile(r";\s+(?:no|none of the|neither|not one)\s+(?:\w+\s+)?(?:study|studies|trial|trials)\b", re.I)


def _stretch_end(sentence: str, tokens: list[_Token], numbers: list[int], idx: int) -> int:
    """Where the stretch of words belonging to the count at numbers[idx] ends: at the next count, except
    that a count in brackets right after its noun ("48 studies (53 reports) remained") or a place count
    between the noun and its verb ("52 studies from 14 countries were included") is an aside: the words
    after it still tell what the first count is."""
    if idx + 1 >= len(numbers):
        # "… were compared in eight studies; no study addressed …": the last count's stretch ends where a new
        # clause with a subject of its own begins
        new_clause = _NEW_SUBJECT_RE.search(sentence, tokens[numbers[idx]].end)
        return new_clause.start() if new_clause else len(sentence)
    here, after = tokens[numbers[idx]], tokens[numbers[idx + 1]]
    close = sentence.find(")", after.end)
    nxt = idx + 1
    if re.fullmatch(r"\s+[A-Za-z -]{1,40}\(\s*", sentence[here.end:after.start]) and close >= 0 and \
            "(" not in sentence[after.end:close] and (idx + 2 >= len(numbers) or tokens[numbers[idx + 2]].start > close):
        nxt = idx + 2
    if nxt < len(numbers) and _place_aside(sentence, here.end, tokens[numbers[nxt]]):
        nxt += 1
    return tokens[numbers[nxt]].start if nxt < len(numbers) else len(sentence)


# "52 studies (61 reports) from 14 countries were included": a count of places the studies came from,
# between the studies' noun and the passive verb that says what became of them.
_PLACE_ASIDE_BEFORE_RE = re.compile(r"\s+[A-Za-z -]{1,40}(?:\([^()]*\)\s*)?\s(?:from|in|across)\s+", re.I)
_PLACE_ASIDE_AFTER_RE = re.compile(r"\s+[A-Za-z-]+\s+(?:were|was|had been|have been)\s+\w+ed\b", re.I)


def _place_aside(sentence: str, noun_from: int, place: _Token) -> bool:
    """Whether the count ``place`` is a count of places standing between a count's noun (after
    ``noun_from``) and its passive verb, so that the verb still belongs to the first count."""
    return bool(_PLACE_ASIDE_AFTER_RE.match(sentence, place.end)) and \
        bool(_PLACE_ASIDE_BEFORE_RE.fullmatch(sentence, noun_from, place.start))


def _the_one_it_equals(claim: Claim, lexicon: Lexicon) -> Claim:
    """"Contact investigations made up 19 of the 134 studies", where 146 studies are included but 134 have a
    study file: the words cannot tell PRISMA's total from the files' count (they do in "the review included
    146 studies"), and the number equals one of them, so it is read as that one (the other stays in the
    message, so a number equal to neither is still asked about). Only between counts of one set."""
    group = {claim.count, *_SAME_SET.get(claim.count, ())}
    group |= {k for k, others in _SAME_SET.items() if claim.count in others}
    equal = [a for a in claim.alternatives if a in group and lexicon.counts.get(a) is not None
             and lexicon.counts[a].value == claim.number]
    mine = lexicon.counts.get(claim.count)
    if not equal or (mine is not None and mine.value == claim.number):
        return claim
    rest = tuple(a for a in (claim.count, *claim.alternatives) if a != equal[0])
    return replace(claim, count=equal[0], alternatives=rest)


# Where included studies and the studies with a file (Table 1's rows) differ: "12 … do not appear in Table 1"
_NOT_IN_TABLE_RE = re.compile(r"\b(?:not|never)\s+(?:\w+\s+)?(?:in|appear in|listed in|shown in|described in)\s+"
                              r"table 1\b|\b(?:without|with no|(?:have|has|had) no|lack(?:s|ed|ing)?) (?:a |an |their )?"
                              r"(?:study |extraction |data )?files?\b", re.I)
_IN_TABLE_RE = re.compile(r"\btable 1\b|\b(?:with|have|has|had) (?:a |their )?(?:study )?files?\b", re.I)


def _files_or_review(sentence: str, tokens: list[_Token], numbers: list[int], claims: list[Claim],
                     lexicon: Lexicon) -> list[Claim]:
    """When some included studies have no study file (PRISMA's total exceeds the files'): a count of
    studies in a clause that says they are not in Table 1 counts those (``prisma.studies_without_files``);
    one in a clause about Table 1 or the files counts the files (``included``); "the review included 146
    studies" counts PRISMA's total, the files' count its alternative."""
    files, total = lexicon.counts.get("included"), lexicon.counts.get("prisma.total_studies")
    if files is None or total is None or total.value is None or files.value == total.value:
        return claims
    by_start: dict[int, list[Claim]] = {}
    for c in claims:
        by_start.setdefault(c.start, []).append(c)
    out = []
    for i in numbers:
        token = tokens[i]
        claim, *shared = by_start.pop(token.start, None) or [None]
        if shared:  # one number stated for each of several names (_each_claims): not the files' question
            out += [claim, *shared]
            continue
        if token.kind != "num" or token.value is None or (
                claim is None and _noun_of(tokens, i, lexicon).category not in ("study", "implicit")
                and not re.match(r"\s+(?:[\w-]+\s+){0,3}stud(?:y|ies)\b", sentence[token.end:])
                and not _part_of_counted_studies(sentence, token, claims)
                and not _PART_OF_STUDIES_RE.match(sentence, token.end)):
            out += [claim] if claim else []
            continue
        if _files_of_the_whole(sentence, token, claim):
            out += [claim] if claim else []  # "In 37 of the 134 studies with a study file, … in the USA"
            continue
        # the count's clause, with a relative clause of its noun: "the 12 modelling studies, which have no file,"
        clause = re.match(r"[^;,]*(?:,\s*(?:which|that|who)\b[^;,]*)?", sentence[token.start:]).group()
        lead = re.split(r";", sentence[:token.start])[-1]
        if (_NOT_IN_TABLE_RE.search(clause) or _without_one_file(sentence, token, clause)) and \
                "prisma.studies_without_files" in lexicon.counts and not _WHOLE_OF_PART_RE.search(lead):
            claim = _claim(sentence, token, "prisma.studies_without_files", token.end, None)
        elif _other_than_without_files(sentence, token, out):
            claim = _claim(sentence, token, "included", token.end, None)
        elif re.search(r"\btable 1\b[^;.]*\b(?:lists?|describes?|shows?)\b[^;]*$", lead, re.I) or \
                _IN_TABLE_RE.search(_without_table_pointers(clause)) or _files_in_other_words(sentence, token, clause, lead):
            claim = _claim(sentence, token, "included", token.end, None)
        elif claim is not None and claim.count == "included" and re.search(r"\binclu|\breview\b", claim.quote, re.I):
            claim = replace(claim, count="prisma.total_studies", alternatives=("included",))
        elif claim is not None and claim.count == "included":
            claim = _the_one_it_equals(claim, lexicon)  # "19 of the 134 studies": the words do not say which
        out += [claim] if claim else []
    return out + [c for group in by_start.values() for c in group]


_FILES_GIVEN_RE = re.compile(r"\b(?:provid|suppl|gave|giv|contribut|came with)\w*\s+(?:a|an|their|its|one)\s+"
                             r"(?:(?:study|extraction|data)\s+)?files?\b", re.I)


def _files_in_other_words(sentence: str, token: _Token, clause: str, lead: str) -> bool:
    """The study files in other words: "134 of which provided a file of extracted data", "Study files exist for
    136 of the included studies", "Twelve included studies have no study file, leaving 134 with one" (*one*
    standing for the file the sentence named)."""
    if _FILES_GIVEN_RE.search(clause):
        return True
    if re.search(r"\bfiles?\s+(?:exist|are available|were available|are kept)\s+for\s+$", lead, re.I):
        return True
    return bool(re.match(r"\S+\s+with\s+one\b", clause, re.I)) and \
        re.search(r"\bfiles?\b", sentence[:token.start], re.I) is not None


_TABLE_POINTER_RE = re.compile(r"\((?:see\s+|in\s+)?table\s+1\b[^()]*\)", re.I)


# "Fourteen of the 146 included studies lack a study file": the part of the studies the clause speaks of
# (the words after *of* may be more than the three allowed after a bare count); the whole, 146, is the
# studies the part is taken from, not those without a file.
_PART_OF_STUDIES_RE = re.compile(r"\s+of\s+(?:the|these|those)\s+(?:\d[\d,]*\s+)?(?:[\w-]+\s+){0,2}stud(?:y|ies)\b",
                                 re.I)
_WHOLE_OF_PART_RE = re.compile(r"\bof\s+(?:the|these|those)\s+$", re.I)


def _without_table_pointers(clause: str) -> str:
    """"Outbreak investigations accounted for 33 studies (Table 1)": a bracketed pointer to Table 1 says where
    to look, not that the count is of the studies Table 1 lists."""
    return _TABLE_POINTER_RE.sub("", clause)


def _without_one_file(sentence: str, token: _Token, clause: str) -> bool:
    """"134 of which have a study file; the other 12 are modelling studies without one": *without one* after
    the sentence has spoken of study files stands for "without a study file"."""
    return bool(re.search(r"\bwithout one\b", clause, re.I)) and \
        bool(re.search(r"\bfiles?\b", sentence[:token.start], re.I))


def _files_of_the_whole(sentence: str, token: _Token, claim: Claim | None) -> bool:
    """"In 37 of the 134 studies with a study file, the people studied were in the USA": *with a study file*
    qualifies the numbered whole the part is taken from, so it says nothing of what the part counts (but
    "134 of the 146 studies have a study file": the verb is the part's)."""
    part = re.match(r"\s+of\s+(?:the|these|those)\s+\d[\d,]*\s+(?:[\w-]+\s+){0,2}?(?:studies|trials|papers)\s+"
                    r"with\b", sentence[token.end:], re.I)
    return part is not None and (claim is None or claim.count not in ("included", "prisma.total_studies"))


def _part_of_counted_studies(sentence: str, token: _Token, claims: list[Claim]) -> bool:
    """"The review included 148 studies, 136 of them with a study file" (or "136 of which have a study
    file": the relative pronoun is the same whole): a part of the studies counted just before, whose clause
    may say which of them have a file."""
    return bool(re.match(r"\s+of\s+(?:them|these|those|which)\b", sentence[token.end:])) and any(
        c.end <= token.start and c.count == "included" for c in claims)


def _other_than_without_files(sentence: str, token: _Token, earlier: list[Claim]) -> bool:
    """"the 12 modelling studies … have no study file, so our tables describe the other 134": the other or
    remaining studies, after those without a file, are the studies with one."""
    return bool(re.search(r"\bthe (?:other|remaining)\s*$", sentence[:token.start], re.I)) and any(
        c.count == "prisma.studies_without_files" for c in earlier)


def _parallel_field_values(sentence: str, claims: list[Claim], lexicon: Lexicon) -> list[Claim]:
    """"Twelve studies concerned people with severe mental health problems, two … a specific context and only
    one … moderate problems": where the other counts of a sentence are values of one field, a count whose
    stretch names another value of that field (*severe*) is that value, though a sub-theme's label also has
    the words."""
    ordered = sorted(claims, key=lambda c: c.start)
    out = []
    for n, claim in enumerate(ordered):
        families = {c.count.rpartition(".")[0] for c in ordered if c is not claim and "." in c.count}
        end = ordered[n + 1].start if n + 1 < len(ordered) else len(sentence)
        stretch = " " + _norm(sentence[claim.end:end]) + " "
        values = {t.count for t in lexicon.terms if t.kind == "field" and not t.weak and
                  t.count.rpartition(".")[0] in families and f" {t.phrase} " in stretch}
        if claim.count.startswith("subtheme.") and len(families) == 1 and len(values) == 1 and \
                not _THEME_WORD_RE.search(stretch):  # ("… only six were grouped under the displacement sub-theme")
            claim = replace(claim, count=values.pop(), alternatives=(claim.count,))
        out.append(claim)
    return out


def _parallel_values_before(sentence: str, claims: list[Claim], lexicon: Lexicon) -> list[Claim]:
    """"Depressive symptoms were measured as an outcome in 20 studies, anxiety in 14 and wellbeing in 18",
    "More studies measured wellbeing (18) than anxiety (15)": where the other counts of a sentence are values
    of one field, a count read as a theme or sub-theme whose name, just before it (else just after), is also
    that field's value written in full (*wellbeing*, an outcome and theme (b)'s short form) is the value."""
    ordered = sorted(claims, key=lambda c: c.start)
    out = []
    for n, claim in enumerate(ordered):
        families = {c.count.rpartition(".")[0] for c in ordered if c is not claim and "." in c.count}
        if claim.count.partition(".")[0] not in ("theme", "subtheme") or len(families) != 1 or \
                next(iter(families)).partition(".")[0] in ("theme", "subtheme", "prisma"):
            out.append(claim)
            continue
        family = families.pop()
        # (its own item: "…, anxiety in 14 and wellbeing in 18", not the words of the count before)
        before = re.split(r"[,;]|\band\b", sentence[ordered[n - 1].end if n else 0:claim.start])[-1]
        after = re.split(r"[,;]|\band\b", sentence[claim.end:ordered[n + 1].start if n + 1 < len(ordered)
                                                     else len(sentence)])[0]
        for side in (before, after):
            if _THEME_WORD_RE.search(side):
                break  # "… only seven were grouped under the turbidity sub-theme": named as a theme, it is one
            stretch = " " + _norm(side) + " "
            values = {t.count for t in lexicon.terms if t.kind == "field" and not t.weak and
                      t.count.rpartition(".")[0] == family and f" {t.phrase} " in stretch}
            if values:
                if len(values) == 1:
                    claim = replace(claim, count=values.pop(), alternatives=(claim.count,))
                break
        out.append(claim)
    return out


# a sentence whose subject is one study, its verb right after it: "One Chinese study recruited …", "One of the
# literature reviews compared …", "A Dutch cohort followed …"
_ONE_STUDY_SUBJECT_RE = re.compile(r"^\W*(?:one|an?)\s+(?:of\s+the\s+)?(?:[\w-]+\s+){0,3}?(?:stud(?:y|ies)|trials?|"
                                   r"reviews?|papers?|articles?|surveys?|cohorts?|evaluations?)\s+(?:\([^()]*\)\s+)?"
                                   r"(?:also\s+|then\s+)?(?P<verb>[a-z]+ed)\b", re.I)


def _inside_one_study(sentence: str, tokens: list[_Token], claims: list[Claim], lexicon: Lexicon) -> list[Claim]:
    """"One Chinese study recruited 3 cohorts from 47 schools in Guangzhou", "One of the literature reviews
    compared 11 interventions in nine countries": numbers with a noun of their own in the clause of a subject
    that is one study, before any *and* or comma, are that study's (as in a clause about cited work), not
    counts of the review — but a count after it ("One study used a qualitative design and 12 studies a
    quantitative one") is still one."""
    subject = _ONE_STUDY_SUBJECT_RE.match(sentence)
    if subject is None or not claims:
        return claims
    stop = sentence.find(";", subject.end())
    stop = len(sentence) if stop < 0 else stop
    starts = {t.start: k for k, t in enumerate(tokens)}
    def own_noun(c: Claim) -> bool:
        k = starts.get(c.start)
        return k is not None and _noun_of(tokens, k, lexicon).category != "implicit"
    def in_its_clause(c: Claim) -> bool:  # (not after "and", a comma, "while": a new item of its own)
        return subject.end() <= c.start < stop and \
            not re.search(r"[,(]|\b(?:and|but|while|whereas)\b", sentence[subject.end():c.start], re.I)
    return [c for c in claims if not (in_its_clause(c) and own_noun(c))]


def _last_of_enumeration(sentence: str, claim: Claim) -> bool:
    """"The five searches yielded 89, 230, 688, 4213 and 3018 records": the noun after the last of a run of
    bare numbers belongs to each of them; the last is one part, not the count of all records."""
    # (three or more before it: "13, 16 and 24 studies" may be a respective list, read elsewhere)
    return bool(re.search(r"\d[\d,]*\s*,\s*\d[\d,]*\s*,\s*\d[\d,]*\s*,?\s*(?:and|or)\s*$",
                          sentence[:claim.start]))


def _the_remaining(sentence: str, tokens: list[_Token], numbers: list[int], claims: list[Claim],
                   lexicon: Lexicon) -> list[Claim]:
    """"Seventeen studies examined processes with an online stage; the other 41 …", "Fourteen … nine … and
    seven …; the remaining four …": "the other/remaining N" after counts of all values of one field (or
    design) but one counts that last value, whatever words follow."""
    out = list(claims)
    for i in numbers:
        token = tokens[i]
        if token.kind != "num" or not re.search(r"\bthe (?:other|remaining|rest of the)\s*$",
                                                sentence[:token.start], re.I):
            continue
        earlier = [c for c in out if c.end <= token.start]
        reported = [c for c in earlier if c.count.endswith(".reported")]
        if reported and reported[-1].count.replace(".reported", ".not_reported") in lexicon.counts:
            # "130 reported the number of people infected; the remaining four …": those that did not
            name = reported[-1].count.replace(".reported", ".not_reported")
            out = _instead(out, _claim(sentence, token, name, token.end, None))
            continue
        families = {c.count.rpartition(".")[0] for c in _without_wholes(earlier) if "." in c.count}
        if len(families) != 1:
            continue
        family = families.pop()
        values = [n for n in lexicon.counts if n.rpartition(".")[0] == family
                  and n.rpartition(".")[2] not in ("not_reported", "total", "median", "min", "max", "reported")]
        rest = [n for n in values if n not in {c.count for c in earlier}]
        if len(rest) != 1:
            continue
        out = _instead(out, _claim(sentence, token, rest[0], token.end, None))
    return out


def _without_wholes(claims: list[Claim]) -> list[Claim]:
    """"Of the 16 studies in theme (b), 11 … and the remaining five …": a theme counted before its
    sub-themes is their whole, not one more value beside them."""
    return [c for c in claims if not any(o.count.startswith(f"sub{c.count}.") for o in claims)]


_NONE_RECORDED_RE = (re.compile(r"\bnot (?:reported|recorded|stated|given)\s*:\s*$", re.I),
                     re.compile(r"\s+(?:studies\s+)?(?:had|gave|have) none (?:recorded|reported|stated|given)\b", re.I),
                     # "Every study reported its design (0 not reported)": a bracketed count and its predicate
                     re.compile(r"\s+(?:stud(?:y|ies)\s+)?not (?:reported|recorded|stated|given)\s*\)", re.I))
_NONE_RECORDED_ANY_RE = re.compile(r"\bnot (?:reported|recorded|stated|given)\s*[:)]|"
                                   r"\bnone (?:recorded|reported|stated|given)\b", re.I)
_UNREPORTED_HEADS = {"design": "orientation", "designs": "orientation", "country": "country", "countries": "country"}


def _none_recorded(sentence: str, tokens: list[_Token], numbers: list[int], claims: list[Claim],
                   lexicon: Lexicon) -> list[Claim]:
    """"Every study named its country (not reported: 0)", "… reported its design: 0 had none recorded": the
    count of studies that left unreported the one thing (design, country, a field) the sentence names."""
    if not _NONE_RECORDED_ANY_RE.search(sentence):
        return claims  # most sentences: neither phrase, so no need to look for what was unreported
    heads = {**_UNREPORTED_HEADS, **{n.rpartition(".")[0].replace("_", " "): n.rpartition(".")[0]
                                     for n in lexicon.counts if n.endswith(".not_reported")}}
    named = {family for word, family in heads.items() if re.search(rf"\b{re.escape(word)}\b", sentence, re.I)}
    name = f"{named.pop()}.not_reported" if len(named) == 1 else ""
    if name not in lexicon.counts:
        return claims
    out = list(claims)
    for token in tokens:  # (not only ``numbers``: "(not reported: 0)" looks like a list marker "0)")
        if token.kind == "num" and token.value is not None and not any(c.start == token.start for c in out) and (
                _NONE_RECORDED_RE[0].search(sentence[:token.start]) or _NONE_RECORDED_RE[1].match(sentence, token.end)
                or (sentence[:token.start].rstrip().endswith("(") and _NONE_RECORDED_RE[2].match(sentence, token.end))):
            out.append(_claim(sentence, token, name, token.end, None))
    return out


# the last item of a list of a field's values: "…, children (5), not reported (16)", "…, unclear: 3"
_NOT_REPORTED_ITEM_RE = re.compile(r"(?:^|[,;]\s*(?:and\s+|or\s+)?)(?:not (?:reported|recorded|stated|given|known|"
                                   r"described)|unreported|unclear|unknown|missing)\s*(?:\(\s*(?:n\s*=\s*)?|:\s*)$", re.I)


def _not_reported_item(sentence: str, tokens: list[_Token], numbers: list[int], claims: list[Claim],
                       lexicon: Lexicon) -> list[Claim]:
    """"Age group: adults (52), all ages (46), …, not reported (16)": an item *not reported* in a list whose
    other counts are all values of one field counts that field's not_reported."""
    out = list(claims)
    for token in tokens:  # (not only ``numbers``: a bracketed count in a list looks like a list marker)
        if token.kind != "num" or token.value is None or any(c.start == token.start for c in out) or \
                not _NOT_REPORTED_ITEM_RE.search(sentence[:token.start]):
            continue
        families = {c.count.rpartition(".")[0] for c in out if "." in c.count and not c.count.startswith("prisma.")}
        name = f"{families.pop()}.not_reported" if len(families) == 1 else ""
        if name in lexicon.counts:
            out.append(_claim(sentence, token, name, token.end, None))
    return out


_PAPER_WORDS = ("papers", "reports", "articles", "publications")
_DESCRIBING_WORDS = ("describing", "reporting", "on", "of", "covering", "about")


def _papers_describing_studies(sentence: str, tokens: list[_Token], numbers: list[int], claims: list[Claim],
                               lexicon: Lexicon) -> list[Claim]:
    """"29 papers describing 29 studies": the first number counts the reports of the included studies, the
    second the studies (however the words around them would read each alone)."""
    if "reports" not in lexicon.counts:
        return claims
    out = list(claims)
    for i in numbers:
        if i + 4 >= len(tokens) or tokens[i].kind != "num" or tokens[i + 3].kind != "num" or \
                tokens[i + 1].text.lower() not in _PAPER_WORDS or tokens[i + 2].text.lower() not in _DESCRIBING_WORDS \
                or _NOUNS.get(_stem(tokens[i + 4].text)) != "study" or None in (tokens[i].value, tokens[i + 3].value):
            continue
        starts = (tokens[i].start, tokens[i + 3].start)
        out = [c for c in out if c.start not in starts] + [
            _claim(sentence, tokens[i], "reports", tokens[i + 1].end, None),
            _claim(sentence, tokens[i + 3], "included", tokens[i + 4].end, None)]
    return out


def _papers_reported_the_studies(sentence: str, tokens: list[_Token], numbers: list[int], claims: list[Claim],
                                 lexicon: Lexicon) -> list[Claim]:
    """"Fifty-eight papers reported the 47 studies": the papers' verb in the past and a determiner before the studies'
    number say what "58 papers describing 47 studies" says (see _papers_describing_studies)."""
    if "reports" not in lexicon.counts:
        return claims
    out = list(claims)
    for i in numbers:
        j = i + 3 + (i + 3 < len(tokens) and tokens[i + 3].text.lower() in ("the", "our", "these", "all"))
        if j + 1 >= len(tokens) or tokens[i].kind != "num" or tokens[j].kind != "num" or \
                tokens[i + 1].text.lower() not in _PAPER_WORDS or \
                tokens[i + 2].text.lower() not in ("reported", "described", "presented", "covered") or \
                _NOUNS.get(_stem(tokens[j + 1].text)) != "study" or None in (tokens[i].value, tokens[j].value):
            continue
        out = [c for c in out if c.start not in (tokens[i].start, tokens[j].start)] + [
            _claim(sentence, tokens[i], "reports", tokens[i + 1].end, None),
            _claim(sentence, tokens[j], "included", tokens[j + 1].end, None)]
    return out


_DID_NOT_SAY_RE = re.compile(r"\s+(?:(?:studies|others)\s+)?(?:did not|didn't|failed to)"
                             r"(?:\s+(?:say|report|state|specify|tell|do so))?\s*(?:[.;,)]|$)", re.I)


_UNSAID_WHICH_RE = re.compile(r"\s+(?:[a-z-]+\s+){0,2}?(?:did not|didn't|failed to)\s+(?:say|report|state|specify|"
                              r"indicate|describe|name)\s+(?:which|what)\s+(?:(?:kind|type|sort)\s+of\s+)?"
                              r"(?P<word>[a-z-]{3,})\b", re.I)


def _unsaid_which(sentence: str, tokens: list[_Token], numbers: list[int], claims: list[Claim],
                  lexicon: Lexicon) -> list[Claim]:
    """"Six did not say which tool was used", "Five studies did not say what kind of programme …": a count
    whose studies did not say which of a field's values holds counts the field's not_reported — the field
    whose label (as its count's meaning words it: "studies not reporting code review tool studied") has
    the word, where only one does; not the value named earlier in the sentence."""
    out = list(claims)
    for i in numbers:
        m = _UNSAID_WHICH_RE.match(sentence, tokens[i].end)
        if tokens[i].kind != "num" or m is None:
            continue
        word = _stem(m.group("word"))
        fields = {n for n, c in lexicon.counts.items() if n.endswith(".not_reported") and
                  word in _norm(re.sub(r"^studies not reporting\s+", "", c.meaning or "")).split()}
        if len(fields) == 1:
            out = _instead(out, _claim(sentence, tokens[i], fields.pop(), m.end(), None))
    return out


def _instead(claims: list[Claim], claim: Claim) -> list[Claim]:
    """The claims with ``claim`` in place of any earlier reading of the same number (at the same start)."""
    return [c for c in claims if c.start != claim.start] + [claim]


def _own_words(words: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    """Each entry's words that no other entry has: what tells one exclusion reason, unreported field or
    theme from the others (the review's title words, in every label, drop out)."""
    held = Counter(w for own in words.values() for w in own)
    return {name: frozenset(w for w in own if held[w] == 1) for name, own in words.items()}


# What is read off the review's data once per review, not once per sentence: the lexicon is frozen (and
# holds dicts, so it cannot be a cache key itself); entries go when the lexicon does.
_ONCE_PER_REVIEW: dict[int, dict[str, object]] = {}


def _once_per_review(lexicon: Lexicon, name: str, compute):
    per_review = _ONCE_PER_REVIEW.get(id(lexicon))
    if per_review is None:
        per_review = _ONCE_PER_REVIEW[id(lexicon)] = {}
        weakref.finalize(lexicon, _ONCE_PER_REVIEW.pop, id(lexicon), None)
    if name not in per_review:
        per_review[name] = compute(lexicon)
    return per_review[name]


def _reason_words(lexicon: Lexicon) -> dict[str, frozenset[str]]:
    """Each full-text exclusion reason the review keeps, by the words of its wording that no other reason
    has (read once per review: _reason_words_of)."""
    return _once_per_review(lexicon, "reason_words", _reason_words_of)


def _reason_words_of(lexicon: Lexicon) -> dict[str, frozenset[str]]:
    """Each full-text exclusion reason the review keeps, by the words of its wording that no other reason
    has ("Women not studied or results not given by sex" -> women, studi, result, sex); nouns the check
    counts (*report*, *study*) say nothing of which reason."""
    words = {name: frozenset(_verb_root(w) for w in _content_words(_norm(re.sub(
        r"^.*?\bexcluded\b\s*(?::|for|because(?: of)?|as)?\s*", "", count.meaning or "") + " " + _key_words(name)))
        if w not in _NOUNS and w not in _WEAK_STOP and len(w) > 2)
        for name, count in lexicon.counts.items() if name.startswith("prisma.dbr_excluded_reason.")}
    return _own_words(words)


def _key_words(name: str) -> str:
    """The words of a count's own key, which the review chose as a short name ("...reason.language",
    "...reason.not_clt" -> "language", "not clt"): prose names a reason by them as often as by its wording."""
    return re.sub(r"[_-]+", " ", name.rpartition(".")[2])


_REASON_ITEM_END_RE = re.compile(r"[;:.,]|\(|\sand\s|\sor\s+(?=\d)", re.I)


def _reasons_by_their_words(sentence: str, tokens: list[_Token], numbers: list[int], claims: list[Claim],
                            lexicon: Lexicon) -> list[Claim]:
    """"excluded: 46 for the intervention, 38 for the population …", "41 did not study women or give results
    by sex", "an intervention that was not a school meal (n = 64)": in a sentence about exclusion, a count
    whose own item (the words after it up to the next item, or those before its bracket) shares words with
    one of the review's exclusion reasons, and with no other, counts the full texts excluded for that reason —
    however the reason is worded, since the review's own wording is read from its data."""
    if not re.search(r"\bexclu", sentence, re.I):
        return claims
    reasons = {n: w for n, w in _reason_words(lexicon).items() if w}
    if not reasons:
        return claims
    out = list(claims)
    for idx, i in enumerate(numbers):
        token = tokens[i]
        if token.kind != "num" or token.value is None or _hedged(tokens, i) or \
                re.search(r"\bof(?: the)?\s*$", sentence[:token.start], re.I):
            continue  # "fewer than 20", "most of the 24 …": no reason's count
        if i + 1 < len(tokens) and tokens[i + 1].text == ")" and (
                tokens[i - 1].text == "(" or _n_equals(tokens, i)):
            # "… not a school meal (n = 64)": the words before the bracket, back to the last count or clause
            paren = sentence.rfind("(", 0, token.start)
            back = max(sentence.rfind(c, 0, paren) for c in ",;:")
            if idx > 0:
                back = max(back, tokens[numbers[idx - 1]].end)
            item = sentence[back + 1:paren]
        else:
            rest = sentence[token.end:tokens[numbers[idx + 1]].start if idx + 1 < len(numbers) else len(sentence)]
            end = _REASON_ITEM_END_RE.search(rest)
            item = rest[:end.start()] if end else rest
            if not re.search(r"\bexclu", sentence[:token.end] + item, re.I):
                continue  # a count before the exclusion is named: not one of its reasons
        said = {_verb_root(w) for w in _norm(item).split()}
        overlap = {n: len(w & said) for n, w in reasons.items()}
        named = [n for n, k in overlap.items() if k]
        if len(named) != 1:
            continue  # no reason, or several ("were viewpoints or had a weak design")
        out = _instead(out, _claim(sentence, token, named[0], token.end + len(item.rstrip()) if item and
                                   sentence.find(item, token.end) == token.end else token.end, None))
    return out


def _reasons_in_brackets(sentence: str, tokens: list[_Token], numbers: list[int], claims: list[Claim],
                         lexicon: Lexicon) -> list[Claim]:
    """"Full texts were excluded because the tool was not a symptom checker (31), the setting was not primary
    care (24), … or the publication type was ineligible (11)": in a list whose other bracketed counts name
    exclusion reasons, a bracketed number (which alone could be a numeric citation) after words of one reason
    counts that reason too."""
    if not any(c.count.startswith("prisma.dbr_excluded_reason.") for c in claims):
        return claims
    taken = {c.start for c in claims}
    bracketed = [k for k, t in enumerate(tokens) if t.kind == "num" and t.value is not None and k not in numbers
                 and 0 < k < len(tokens) - 1 and tokens[k - 1].text == "(" and tokens[k + 1].text == ")"
                 and t.start not in taken]
    if not bracketed:
        return claims
    starts = {tokens[k].start for k in bracketed}
    read = _reasons_by_their_words(sentence, tokens, sorted(set(numbers) | set(bracketed)), [], lexicon)
    return sorted(claims + [c for c in read if c.start in starts], key=lambda c: c.start)


def _bracketed_reasons(sentence: str, tokens: list[_Token], numbers: list[int], claims: list[Claim],
                       lexicon: Lexicon) -> list[Claim]:
    """"Reasons for exclusion: not a CLT (31); no housing outcome (19); …", "…, followed by the absence of a
    housing outcome (19)": in a sentence about exclusion, a bare bracketed count that no other rule read (it looks
    like an enumeration) counts the reason its item names — the words before the bracket, back to the last
    item's end — as _reasons_by_their_words reads the counts it is given."""
    if not re.search(r"\bexclu", sentence, re.I):
        return claims
    reasons = {n: w for n, w in _reason_words(lexicon).items() if w}
    out = list(claims)
    for k, token in enumerate(tokens):
        if not reasons or k in numbers or token.kind != "num" or token.value is None or not 0 < k < len(tokens) - 1 \
                or tokens[k - 1].text != "(" or tokens[k + 1].text != ")" or any(c.start == token.start for c in out):
            continue
        paren = tokens[k - 1].start
        back = max(sentence.rfind(c, 0, paren) for c in ",;:)")
        said = {_verb_root(w) for w in _norm(sentence[back + 1:paren]).split()}
        named = [n for n, w in reasons.items() if w & said]
        if len(named) == 1:
            out.append(_claim(sentence, token, named[0], token.end, None))
    return out


_UNSAID_RE = re.compile(r"\b(?:did not|didn't|does not|do not|failed to)\s+(?:say|report|state|specify|describe|give|"
                        r"mention|indicate|record)\b|\b(?:was|were|is|are|remained)\s+(?:unclear|unreported|unstated|"
                        r"not\s+(?:clear|described|reported|stated|given|specified|recorded))\b|"
                        r"\bleft\b[^,;]*\bunreported\b", re.I)
_SAID_RE = re.compile(r"\b(?:stated|reported|said|described|specified|recorded|gave)\b", re.I)


def _unreported_words(lexicon: Lexicon) -> dict[str, frozenset[str]]:
    """Each field the review counts as left unreported, by the words of its label that no other such field
    has (read once per review: _unreported_words_of)."""
    return _once_per_review(lexicon, "unreported_words", _unreported_words_of)


def _unreported_words_of(lexicon: Lexicon) -> dict[str, frozenset[str]]:
    """Each field the review counts as left unreported, by the words of its label (as its count's meaning
    words it, and a measure's nouns) that no other such field has — not participles or words like *type*:
    "type of meal provision" -> provision, meal; "how exposure to smoke was assessed" -> exposure, smoke."""
    measures = dict(lexicon.measures)
    words = {}
    for name, count in lexicon.counts.items():
        prefix = name.removesuffix(".not_reported")
        if prefix == name or prefix in ("orientation", "country") or "." in prefix:
            continue
        label = re.sub(r"^studies not reporting\s+(?:their\s+|the\s+)?", "", count.meaning or "")
        said = " ".join([label, *measures.get(prefix, ())])
        words[name] = frozenset(_verb_root(w) for w in _content_words(_norm(said)) if len(w) > 2 and
                                w not in _WEAK_STOP and w not in _NOUNS and not re.fullmatch(r"\w+ed|how|what|number|many", w))
    return _own_words(words)


_EXCEPTION_RE = re.compile(r"\ball but\b|\bexcept\b|\bapart from\b|\bwith the exception of\b", re.I)


def _unsaid_candidates(sentence: str, tokens: list[_Token], numbers: list[int], lexicon: Lexicon,
                       unsaid_re: re.Pattern, said_re: re.Pattern) -> tuple[dict[str, frozenset[str]], list[int]]:
    """What the readings of fields left unsaid share: the review's unreported fields by their own words, and
    the places (in ``numbers``) of the plain counts of a sentence that says studies left something unsaid
    (``unsaid_re``) or, after an exception, that the others said it (``said_re``); none otherwise. A count
    with a noun of another kind ("did not report 12 records") is left out."""
    if not (unsaid_re.search(sentence) or said_re.search(sentence) and _EXCEPTION_RE.search(sentence)):
        return {}, []
    fields = {n: w for n, w in _unreported_words(lexicon).items() if w}
    if not fields:
        return {}, []
    counted = []
    for idx, i in enumerate(numbers):
        token = tokens[i]
        if token.kind != "num" or token.value is None or _hedged(tokens, i):
            continue
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if after is not None and after.kind == "word" and _stem(after.text) in _NOUNS and \
                _NOUNS[_stem(after.text)] != "study":
            continue
        counted.append(idx)
    return fields, counted


def _unreported_by_label_words(sentence: str, tokens: list[_Token], numbers: list[int], claims: list[Claim],
                               lexicon: Lexicon) -> list[Claim]:
    """"The type of provision was unclear in nine studies", "three did not say how exposure was assessed",
    "Seven studies did not report the number of monitoring stations", "All but eight studies stated whether
    training was offered": a count of studies whose clause says they left something unsaid (or, after *all
    but*, that the others said it) and names, in any words, one field the review counts as unreported, counts
    that field's not_reported."""
    fields, counted = _unsaid_candidates(sentence, tokens, numbers, lexicon, _UNSAID_RE, _SAID_RE)
    out = list(claims)
    for idx in counted:
        i = numbers[idx]
        token = tokens[i]
        left = max([sentence.rfind(c, 0, token.start) for c in ",;:"] +
                   [tokens[numbers[idx - 1]].end if idx > 0 else -1])
        right = min([p for p in (sentence.find(c, token.end) for c in ",;.") if p >= 0] +
                    [tokens[numbers[idx + 1]].start if idx + 1 < len(numbers) else len(sentence)])
        clause = sentence[left + 1:right]
        unsaid = _UNSAID_RE.search(clause)
        if not unsaid and _left_out(sentence, token.start) and idx + 1 == len(numbers):
            # "Except for one study, all reported which technology they examined": the others' clause, after
            # the comma that closes the excepted phrase, says what was said
            stop = sentence.find(";", token.end)
            clause = sentence[left + 1:stop if stop >= 0 else len(sentence)]
        if not unsaid and not (_left_out(sentence, token.start) and _SAID_RE.search(clause)):
            continue
        said = {_verb_root(w) for w in _norm(clause).split()}
        named = [n for n, w in fields.items() if w & said]
        if len(named) != 1:
            continue
        out = _instead(out, _claim(sentence, token, named[0], token.end, None))
    return out


_UNSAID_WHETHER_RE = re.compile(r"\s+(?:stud(?:y|ies)\s+)?(?:did not|didn't|failed to)\s+(?:say|report|state|specify|"
                                r"describe|indicate)\s+(?:whether|if|which of)\b", re.I)
_NONE_OF_RE = re.compile(r"\s+(?:stud(?:y|ies)\s+)?(?:reported|measured|gave|used|described)\s+none\s+of\s+(?:the|their)\s+"
                         r"(?P<what>(?:[\w-]+\s+){0,2}?[\w-]+)\s*[.,;]", re.I)


def _unsaid_which_value(sentence: str, tokens: list[_Token], numbers: list[int], claims: list[Claim],
                        lexicon: Lexicon) -> list[Claim]:
    """"One study did not say whether it used real patients or simulated cases": a count of studies that did
    not say which of two or more values of one field held counts that field's not_reported (not the value
    named first); "Two studies reported none of the charted outcomes": a count of studies that reported none
    of a field's things, named by its label's head noun, counts that field's not_reported."""
    out = list(claims)
    for idx, i in enumerate(numbers):
        token = tokens[i]
        if token.kind != "num" or token.value is None or _hedged(tokens, i):
            continue
        stop = tokens[numbers[idx + 1]].start if idx + 1 < len(numbers) else len(sentence)
        whether = _UNSAID_WHETHER_RE.match(sentence, token.end)
        none_of = _NONE_OF_RE.match(sentence, token.end)
        families: set[str] = set()
        if whether:
            rest = " " + _norm(sentence[whether.end():stop]) + " "
            values = [t.count for t in lexicon.terms if t.kind == "field" and not t.weak and f" {t.phrase} " in rest]
            named = Counter(v.rpartition(".")[0] for v in set(values))
            families = {f for f, n in named.items() if n >= 2}
        elif none_of:
            head = _stem(none_of.group("what").split()[-1])
            families = {n.removesuffix(".not_reported") for n, c in lexicon.counts.items()
                        if n.endswith(".not_reported") and "." not in n.removesuffix(".not_reported") and
                        head in {_stem(w) for w in _norm(re.sub(r"^studies not reporting\s+", "", c.meaning or "")).split()}}
        name = f"{families.pop()}.not_reported" if len(families) == 1 else ""
        if name in lexicon.counts:
            out = _instead(out, _claim(sentence, token, name, (whether or none_of).end(), None))
    return sorted(out, key=lambda c: c.start) if out != claims else claims


# a field's value for studies that had more than one of its other values ("mixed", "both", "combined")
_MIXING_ROOTS = ("mix", "both", "combin", "multiple")
_MIXING_WORDS_RE = re.compile(r"\b(?:mix(?:ed|ture)?|combin(?:ed|ing|ation)s?)\b", re.I)


def _mixing_values(lexicon: Lexicon) -> dict[str, str]:
    """Each field that has a value meaning "more than one of the others" -> that value's count."""
    out = {}
    for t in lexicon.terms:
        if t.kind == "field" and not t.weak and t.phrase.split() and \
                any(_root(t.phrase.split()[0]).startswith(r) for r in _MIXING_ROOTS):
            out.setdefault(t.count.rpartition(".")[0], t.count)
    return out


def _mixed_value_in_other_words(sentence: str, tokens: list[_Token], numbers: list[int], claims: list[Claim],
                                lexicon: Lexicon) -> list[Claim]:
    """"… self-report (7) and a mix of methods (6)", "Seven studies combined two or more measures of green
    space", "19 real patients and four both", "Mixed settings, combining vignettes with real patients, were rare
    (n = 4)": where a field has a value for studies that had more than one of its others (*mixed*), a count
    whose own item says they mixed or combined them, or a bare *both* closing its item, counts that value —
    the field told by the sentence's other counts of its values, the values it names, or its label's words."""
    if not (_MIXING_WORDS_RE.search(sentence) or re.search(r"\bboth\b", sentence, re.I)):
        return claims
    # (every number: "… and a mix of methods (6)" is a bracketed number a citation could be, but in a list of
    # the field's values it is one more of them)
    quantities = [k for k, t in enumerate(tokens) if t.kind == "num" and t.value is not None and
                  not _excluded_as_share_or_year(tokens, k)]
    items = {i: _mixing_item(sentence, tokens, quantities, idx) for idx, i in enumerate(quantities)}
    items = {i: item for i, item in items.items() if item is not None and not _hedged(tokens, i)}
    mixing = _mixing_values(lexicon) if items else {}
    if not mixing:
        return claims
    out = list(claims)
    for i, item in items.items():
        token = tokens[i]
        own = next((c for c in out if c.start == token.start), None)
        family = _family_of_mixing(sentence, item, out, own, mixing, lexicon)
        if i not in numbers and family is not None and \
                not any(c is not own and c.count.rpartition(".")[0] == family for c in out):
            continue
        if family is not None and (own is None or own.count.rpartition(".")[0] == family or
                                   own.count.partition(".")[0] in ("theme", "subtheme")):
            out = _instead(out, _claim(sentence, token, mixing[family], token.end, None))
    return sorted(out, key=lambda c: c.start) if out != claims else claims


def _excluded_as_share_or_year(tokens: list[_Token], k: int) -> bool:
    """A percentage, a decimal or a year: never a count of studies."""
    t = tokens[k]
    nxt = tokens[k + 1].text if k + 1 < len(tokens) else ""
    return nxt in ("%", "percent") or "." in t.text or (len(t.text) == 4 and t.text.isdigit() and 1800 <= t.value <= 2099)


def _mixing_item(sentence: str, tokens: list[_Token], numbers: list[int], idx: int) -> str | None:
    """The words of a count's own item that say its studies mixed values: a bare *both* right after it, the
    words before its bracket ("a mix of methods (6)", "(n = 4)"), or its clause right after its noun ("Seven
    studies combined …"); None when they say no such thing."""
    token = tokens[numbers[idx]]
    prev_end = tokens[numbers[idx - 1]].end if idx > 0 else 0
    if re.match(r"\s+both\s*(?:[.,;)]|$)", sentence[token.end:]) and idx > 0:
        return "both"
    bracket = re.search(r"\(\s*(?:[nk]\s*=\s*)?$", sentence[prev_end:token.start], re.I)
    if bracket:
        lead = sentence[prev_end:prev_end + bracket.start()]
        lead = re.split(r"[;:]|,\s+(?:and\s+)?(?=[a-z])(?![^()]*\))", lead)[-1] if not re.search(r"\b(?:was|were|is|are)\b", lead) else lead
        return lead if _MIXING_WORDS_RE.search(lead) else None
    after = re.match(r"\s+(?:stud(?:y|ies)|trials?)\s+(?P<clause>[^,;.]*)", sentence[token.end:], re.I)
    if after and _MIXING_WORDS_RE.match(after.group("clause")):
        return after.group("clause")
    return None


def _family_of_mixing(sentence: str, item: str, claims: list[Claim], own: Claim | None, mixing: dict[str, str],
                      lexicon: Lexicon) -> str | None:
    """The one field with a mixing value that a mixing item is about: the family of the sentence's other
    counts, else of the values the sentence names, else of its label's own words in the item."""
    others = {c.count.rpartition(".")[0] for c in claims if c is not own and "." in c.count} & set(mixing)
    if len(others) == 1:
        return others.pop()
    if item == "both":
        return None
    said = " " + _norm(sentence) + " "
    named = {t.count.rpartition(".")[0] for t in lexicon.terms if t.kind == "field" and not t.weak and
             t.count.rpartition(".")[0] in mixing and f" {t.phrase} " in said}
    if len(named) == 1:
        return named.pop()
    words = {_verb_root(w) for w in _norm(item).split()}
    by_label = {n.removesuffix(".not_reported") for n, w in _unreported_words(lexicon).items() if w & words} & set(mixing)
    return by_label.pop() if len(by_label) == 1 else None


# "reported none of the listed outcomes", and after an exception "every study reported at least one of the five
# outcomes": the field's values taken together, by the field's own head word (Lexicon.reported_heads)
_NONE_OF_VALUES_RE = re.compile(r"\b(?:reported|gave|measured|recorded|assessed|examined|addressed|named|used|had|"
                         r"mentioned|covered)\s+(?P<which>none|any|at least one|one or more|one)\s+of\s+"
                         r"(?:the|these|those|its|their|our)\s+(?P<words>(?:[\w-]+\s*){1,4})", re.I)


def _none_of_the_values(sentence: str, tokens: list[_Token], numbers: list[int], claims: list[Claim],
                        lexicon: Lexicon) -> list[Claim]:
    """"Two studies reported none of the listed outcomes", "With the exception of two, every study reported at
    least one of the five outcomes we extracted": a count of studies that report none of a field's values (or,
    after an exception, the others that report one of them), the field named by its head word within the
    next few words, counts the field's not_reported."""
    if not lexicon.reported_heads or " of " not in sentence:
        return claims
    out = list(claims)
    for m in _NONE_OF_VALUES_RE.finditer(sentence):
        words = _norm(m.group("words")).split()
        fields = {lexicon.reported_heads[w] for w in words[:4]
                  if w in lexicon.reported_heads and not w.endswith("ed") and w not in _NOUNS}
        if len(fields) != 1:
            continue
        none = m.group("which").lower() == "none"
        before = [i for i in numbers if tokens[i].kind == "num" and tokens[i].value is not None
                  and tokens[i].end <= m.start() and not re.search(r"[;:.]", sentence[tokens[i].end:m.start()])
                  and not _hedged(tokens, i) and _noun_of(tokens, i, lexicon).category in ("study", "implicit")]
        if not before or none == _left_out(sentence, tokens[before[-1]].start):
            continue  # "none" is said of the count itself; "at least one" of the others than the count
        out = _instead(out, _claim(sentence, tokens[before[-1]], fields.pop(), tokens[before[-1]].end, None))
    return out


# a meta-analysis's own sets of studies: those it pooled and those a forest plot shows
_POOLED_BEFORE_RE = re.compile(r"\bpool(?:ed|ing)?\s+(?:(?:the|all|these|those|data from|results of|results from)\s+)?$",
                               re.I)
_POOLED_AFTER_RE = re.compile(r"\s+(?:[\w-]+\s+){0,3}?(?:were|was|had been)\s+pooled\b", re.I)
_FOREST_PLOT_RE = re.compile(r"\bforest[- ]plots?\b", re.I)


def _pooled_in_analysis(sentence: str, tokens: list[_Token], numbers: list[int], claims: list[Claim],
                        lexicon: Lexicon) -> list[Claim]:
    """"Nineteen trials contributed to the forest plot for all-cause mortality (RR 0.81 …)", "so we did not pool
    the 11 trials", "the 17 readmission trials" of a forest plot: the studies a pooled analysis holds are that
    analysis's, not a count of the review (a part of one, perhaps, but not one the data gives). Not studies
    that pooled their own results ("Eleven reviews pooled their results"), nor those *left out of* an analysis
    or that *could not be pooled* (what they are, as "the two qualitative studies could not be pooled", says
    which studies they are)."""
    if not (_FOREST_PLOT_RE.search(sentence) or "pool" in sentence.lower()):
        return claims
    pooled = set()
    for claim in claims:
        clause_start = max([sentence.rfind(c, 0, claim.start) for c in ",;:("] + [-1]) + 1
        stop = re.search(r"[,;:(]", sentence[claim.end:])
        clause = sentence[clause_start:claim.end + stop.start() if stop else len(sentence)]
        if _FOREST_PLOT_RE.search(clause) or _POOLED_BEFORE_RE.search(sentence[:claim.start]) or \
                _POOLED_AFTER_RE.match(sentence, claim.end):
            pooled.add(claim.start)
    return [c for c in claims if c.start not in pooled]


def _word_root(word: str) -> str:
    """A root shared by a label's word and its other forms: "indirectly", "indirect" -> "indirect";
    "strengthened" -> "strengthen"; "housing" -> "hous"."""
    return _verb_root(word[:-2] if word.endswith("ly") and len(word) > 5 else word)


def _theme_label_roots(lexicon: Lexicon) -> dict[str, frozenset[str]]:
    """Each theme and sub-theme by the roots of its label's content words that no other theme's or
    sub-theme's label has (so the review's title words, in every label, drop out)."""
    labels: dict[str, str] = {}
    for t in lexicon.terms:
        if t.kind in ("theme", "subtheme") and not t.unordered and len(t.phrase) > len(labels.get(t.count, "")):
            labels[t.count] = t.phrase
    roots = {n: frozenset(_word_root(w) for w in _content_words(p) if len(w) > 3 and w not in _WEAK_STOP)
             for n, p in labels.items()}
    return _own_words(roots)


def _label_words_in_any_order(sentence: str, tokens: list[_Token], numbers: list[int], claims: list[Claim],
                              lexicon: Lexicon, cited_parts: list[tuple[int, int]], decided: set[int]) -> list[Claim]:
    """"The remaining five strengthened social support indirectly, through housing or income" for the
    sub-theme "Social support strengthened indirectly (housing, income)": a count of studies that names no
    count, whose own words after it (up to a comma, *and* or the next count) hold two or more words, in any
    order and form, of one theme's or sub-theme's label that no other label has, counts that theme or
    sub-theme. Not a count another rule settled (a list's, a measure's), nor a part taking its whole's words
    ("Of the eight studies on status …, five were quantitative")."""
    out = list(claims)
    labels = None
    for idx, i in enumerate(numbers):
        token = tokens[i]
        if token.kind != "num" or token.value is None or i in decided or \
                any(c.start == token.start for c in out) or \
                _hedged(tokens, i) or any(a <= token.start < b for a, b in cited_parts):
            continue
        category = _noun_of(tokens, i, lexicon).category
        verb_next = i + 1 < len(tokens) and re.fullmatch(r"[a-z]+ed", tokens[i + 1].text) is not None
        if category not in ("study", "implicit") and not (category == "guard" and verb_next):
            continue  # ("The remaining five strengthened …": the verb says the noun is understood)
        end = tokens[numbers[idx + 1]].start if idx + 1 < len(numbers) else len(sentence)
        stop = re.search(r"[,;:.(]|\s(?:and|but|while|whereas)\s", sentence[token.end:end])
        said = {_word_root(w) for w in _norm(sentence[token.end:token.end + stop.start() if stop else end]).split()}
        labels = _theme_label_roots(lexicon) if labels is None else labels
        named = [n for n, w in labels.items() if len(w & said) >= 2]
        if len(named) == 1:
            out.append(_claim(sentence, token, named[0], token.end, None))
    return out


def _unsaid_after_values(sentence: str, tokens: list[_Token], numbers: list[int], claims: list[Claim],
                         lexicon: Lexicon) -> list[Claim]:
    """"Adults in 52 studies, …, children in 5; 16 did not say": after counts of one field's values, a count
    that "did not say" (no object: the field is understood) counts the field's not_reported; so does one
    that "did not" after a count of the studies reporting a measure ("130 reported it and five did not")."""
    out = list(claims)
    for i in numbers:
        token = tokens[i]
        if token.kind != "num" or any(c.start == token.start for c in out) or \
                not _DID_NOT_SAY_RE.match(sentence, token.end):
            continue
        families = {c.count.rpartition(".")[0] for c in out if c.end <= token.start and "." in c.count}
        name = f"{families.pop()}.not_reported" if len(families) == 1 else ""
        if name in lexicon.counts:
            out.append(_claim(sentence, token, name, token.end, None))
    return out


# The study files' count and PRISMA's total differ when some included studies have no file: "146 studies
# were included" may then state either, and the author chooses.
_SAME_SET = {"included": ("prisma.total_studies", "prisma.new_studies"),
             "reports": ("prisma.total_reports", "prisma.new_reports")}


def _with_prisma_totals(claim: Claim, lexicon: Lexicon) -> Claim:
    """A claim of the included studies (or their reports) that may also state PRISMA's total of them."""
    mine = lexicon.counts.get(claim.count)
    others = [n for n in _SAME_SET.get(claim.count, ()) if n in lexicon.counts and mine is not None
              and lexicon.counts[n].value is not None and lexicon.counts[n].value != mine.value]
    if not others:
        return claim
    return replace(claim, alternatives=tuple(dict.fromkeys((*claim.alternatives, *others))))


def _counted(sentence: str, tokens: list[_Token], i: int, numbers: list[int], idx: int, seg_start: int, seg_end: int,
             lexicon: Lexicon) -> tuple[_Noun, str, bool]:
    """What the number at i counts: its noun, the noun's category and whether it is a part of a whole."""
    token = tokens[i]
    noun = _noun_of(tokens, i, lexicon)
    category = noun.category
    subset = False
    named = sentence[noun.start:noun.end].split()
    if category == "study" and named and _stem(named[-1]) == "source" and \
            re.search(r"\bsearch|\bdatabase", sentence, re.I):
        category = "database"  # "the five sources searched were PubMed, Embase, …"
    if _n_equals(tokens, i):
        category = _subject_after_verb(tokens, i) or _noun_before(tokens, i - 2, lexicon.label_words) \
            or "implicit"  # "(n = 14)": a claim only when a design etc. is named
    elif category == "of":
        # "nine of the 29 studies", "6 of which": the noun of the whole it is part of
        subset = True
        later = numbers[idx + 1] if idx + 1 < len(numbers) else None
        whole = _noun_of(tokens, later, lexicon).category if later is not None and \
            tokens[later].start - noun.end < 12 else "of"
        if whole != "of":
            category = whole
        else:  # no whole's number just after it, or one more part ("48 of all ages, 13 of older adults")
            category = _noun_after_of(tokens, i, lexicon.label_words)
            if category == "implicit":
                category = _noun_before(tokens, i, lexicon.label_words) or "implicit"
    elif category == "implicit" or (category == "guard" and _subject_counted(tokens, i)):
        category = _elided_noun(tokens, i, numbers[:idx], lexicon) or _noun_in_clause_before(tokens, i, lexicon) \
            or "implicit"
        if category == "guard" and _participle_of_noun(tokens, i + 1):
            category = "implicit"  # "interventions in the 44 included studies": the count has its own noun
        category = _left_after_duplicates(sentence, token.start, category)
    head = sentence[noun.start:noun.end].split()[-1:] if noun.end > noun.start else []
    if category == "guard" and head and _stem(head[0]) in ("design", "methodology") and any(
            h.kind == "orientation" for h in _attributes(sentence, noun.end, seg_end, lexicon)):
        category = "study"  # "Thirteen designs were quantitative": the studies, counted by their design
    if category == "guard" and idx > 0 and re.search(r"(?:[,;]|\band|\bwhile|\bwhereas|\bbut)\s*$",
                                                     sentence[seg_start:token.start]):
        # a verb left out after the first count: "15 studies concerned X and 11 managing emotions"
        gap = [h for h in _attributes(sentence, token.end, seg_end, lexicon) if h.kind in _LIST_KINDS
               and (len(_without_focus_adverbs(sentence[token.end:h.position])) <= 2
                    or _closing_label(sentence, h, seg_end))]
        if gap and (_elided_noun(tokens, i, numbers[:idx], lexicon) or _noun_before(tokens, i, lexicon.label_words)) \
                == "study":
            category = "study"
            noun = _Noun("implicit", token.end, token.end)
    return noun, category, subset


def _left_after_duplicates(sentence: str, start: int, category: str) -> str:
    """"1,128 duplicates removed, leaving 2,828 to screen": what is left after the duplicates go is the
    records, not more duplicates, though *duplicates* is the last noun before the number."""
    if category == "duplicate" and _LEAVING_RE.search(sentence[:start]):
        return "record"
    return category


def _without_focus_adverbs(words: str) -> list[str]:
    """The words of a gap, not counting *only*, *just*, *mainly* …: "…, eight only people with non-cancer
    conditions" has the verb left out as "…, eight people with …" has."""
    return [w for w in words.split() if w.lower() not in ("only", "just", "mainly", "mostly", "exclusively")]


def _closing_label(sentence: str, hit: _Hit, seg_end: int) -> bool:
    """"52 studies addressed detection accuracy (question 1), 21 how early faults could be detected (question
    2) and 14 …": a name in brackets that closes a count's clause labels what the clause says, however many
    words the clause has."""
    return sentence[:hit.position].rstrip().endswith("(") and bool(
        re.fullmatch(r"\s*\)\s*(?:[,;.]\s*)?(?:and|or|while|whereas|but)?\s*", sentence[hit.end:seg_end]))


def _noun_in_clause_before(tokens: list[_Token], i: int, lexicon: Lexicon) -> str | None:
    """_noun_before, within the count's own clause when a new subject opens it: in "1,207 were duplicates; we
    screened the remaining 3,105" the duplicates were what the earlier clause's count was, not what 3,105
    counts (but in "Full texts were excluded for …; 29 reported no outcome" the full texts go on)."""
    start = max((j + 1 for j in range(i) if tokens[j].text == ";"), default=0)
    if not (start and start < i and tokens[start].text.lower() in ("we", "they", "i")):
        start = 0
    return _noun_before(tokens[start:], i - start, lexicon.label_words, lexicon.design_words)


def _verb_right_before(sentence: str, hit: _Hit, token: _Token) -> bool:
    """"We assessed 53 full texts and included 29", "…; included (n = 29)": a step word (*included*,
    *excluded*) right before a count whose noun is understood is that count's own verb, not an adjective of
    an earlier whole nor a step an earlier count took."""
    return bool(re.fullmatch(r"\s*(?:\(\s*[nN]\s*=\s*)?", sentence[hit.end:token.start]))


def _elided_noun(tokens: list[_Token], i: int, earlier: list[int], lexicon: Lexicon) -> str | None:
    """"Eleven reviews pooled their results …; six …, three were scoping reviews": a count with no noun
    after a clause break shares the noun of the nearest earlier count that has one, not the last noun
    ("results") the sentence happened to use."""
    before = " ".join(t.text for t in tokens[max(0, i - 3):i])
    if not earlier or not re.search(r"(?:[,;]|\b(?:and|but|while|whereas))\s*(?:(?:only|just|the other|another|a "
                                    r"further|a mere)\s*)?$", before, re.I):
        return None
    for k in reversed(earlier):
        if tokens[k].kind != "num":
            continue
        noun = _noun_of(tokens, k, lexicon)
        # "Twelve of the studies concerned …, two looked at …": the part's noun is its whole's
        category = _noun_after_of(tokens, k, lexicon.label_words) if noun.category == "of" else noun.category
        if category in ("study", "record", "fulltext", "report"):
            return category
    return None


# the words of an "included" qualifier that still say included after full texts or records ("met the inclusion
# criteria" is the last step whatever was counted before); records "remaining" go on to be screened
_KEPT_RE = re.compile(r"includ|inclusion|\bmet\b|\bmeeting\b|remain|retain|kept", re.I)
_KEPT_RECORDS_RE = re.compile(r"includ|inclusion|\bmet\b", re.I)


def _candidates(sentence: str, tokens: list[_Token], i: int, numbers: list[int], idx: int, seg_start: int,
                seg_end: int, lexicon: Lexicon, noun: _Noun, category: str, subset: bool,
                implicit: bool) -> tuple[str, tuple[str, ...], list[_Hit], list[_Hit]]:
    """The names after and before the number that may single out what it counts.

    Returns the category (a study count about full texts becomes "fulltext"), the kinds of name allowed
    for it, and the names after and before it, those that belong elsewhere taken out.
    """
    token = tokens[i]
    if category == "study" and _FULLTEXT_RE.search(sentence[token.end:seg_end]):
        category = "fulltext"
    # "seven reviews (UK 3, Netherlands 2, …)": a breakdown in brackets names the parts, not this whole
    breakdown = re.match(r"[^()]*?\(", sentence[token.end:seg_end])
    if breakdown and seg_end < len(sentence) and ")" not in sentence[token.end + breakdown.end():seg_end]:
        seg_end = token.end + breakdown.end() - 1
    forward = _attributes(sentence, token.end, seg_end, lexicon)
    backward = _attributes(sentence, seg_start, token.start, lexicon)
    # (every category a noun can have is decided before this point or listed; a new one must not stop the check)
    allowed = _CATEGORY_KINDS.get(category, _CATEGORY_KINDS["study"])
    pronoun_whole = re.match(r"\s*of\s+(?:them|which|these|those)\b", sentence[token.end:], re.I)
    if subset and not pronoun_whole:  # "29 of them met the criteria": the predicate is the part's own
        forward = [h for h in forward if h.kind != "included"]
    # "13 included studies": an adjective, not the claim's qualifier, when anything else is named
    if category in ("fulltext", "report", "record"):  # only "included" itself turns full texts into included studies
        # what is left of the full texts is included; records "remaining" go on to be screened
        kept = _KEPT_RECORDS_RE if category == "record" else _KEPT_RE
        forward = [h for h in forward if h.kind != "included" or kept.search(sentence[h.position:h.end])]
        backward = [h for h in backward if h.kind != "included" or kept.search(sentence[h.position:h.end])]
    forward_ok = [h for h in forward if h.kind in allowed]
    if category == "study":
        adjectival = [h for h in forward_ok if h.kind == "included" and h.position < noun.end]
        specific = [h for h in forward_ok if h.kind != "included"]
        if adjectival and specific:
            forward_ok = [h for h in forward_ok if h not in adjectival]
    backward_ok = [h for h in backward if h.kind in allowed]
    if any(not h.minor and h.kind not in _STEP_KINDS and h.kind != "orientation" for h in forward_ok + backward_ok):
        forward_ok = [h for h in forward_ok if not h.minor]  # "Syrian families were the focus of 11 studies"
        backward_ok = [h for h in backward_ok if not h.minor]
    if any(not h.weak and h.kind in ("theme", "subtheme") for h in forward_ok + backward_ok):
        # a theme's full name beats one word of another's — but not one inside the count's own noun phrase
        # ("Eleven of the 16 service studies used … a direct strategy": 16 is theme (b)'s)
        # … unless the full name stands before the count: "Tissue damage was reported in 14 exposure studies")
        full_before = any(not h.weak and h.kind in ("theme", "subtheme") for h in backward_ok)
        forward_ok = [h for h in forward_ok if not h.weak or (h.end <= noun.end and not full_before)]
        backward_ok = [h for h in backward_ok if not h.weak]
    if noun.category == "implicit" and idx > 0:
        # "Among the 13 quantitative studies, eight were …": "quantitative" belongs to the 13
        whole_end = _noun_of(tokens, numbers[idx - 1], lexicon).end
        # "Of the 13 studies in theme (a), 8 used surveys": the whole's phrase runs to its comma
        whole_at = re.match(r"\W*(?:of|among|within)\s+(?:the|these|those|all)?\s*", sentence, re.I)
        if whole_at and tokens[numbers[0]].start == whole_at.end() and idx == 1:
            comma = sentence.find(",", tokens[numbers[0]].end)
            if 0 <= comma < token.start:
                whole_end = max(whole_end, comma)
        backward_ok = [h for h in backward_ok if h.position >= whole_end]
    if implicit:
        backward_ok = [h for h in backward_ok if h.kind != "included" or _verb_right_before(sentence, h, token)]
    if subset:
        forward_ok = _with_part_predicate(sentence, tokens, i, numbers, idx, seg_end, lexicon, allowed, forward_ok)
    return category, allowed, forward_ok, backward_ok


def _with_part_predicate(sentence: str, tokens: list[_Token], i: int, numbers: list[int], idx: int, seg_end: int,
                         lexicon: Lexicon, allowed: tuple[str, ...], forward_ok: list[_Hit]) -> list[_Hit]:
    """"Nine of the 29 studies were qualitative": the part's qualifiers follow its whole, so a part reads on
    past the whole's number (to the count after next) — but not past a colon that opens the list of its
    parts, nor for "two of them from X and two from Y"."""
    token = tokens[i]
    if _parts_listed_after_colon(sentence, token, seg_end):
        return [h for h in forward_ok if h.position < sentence.find(":", token.end)]
    if re.match(r"\s*of\s+(?:them|which|these|those)\b", sentence[token.end:], re.I):
        return forward_ok
    end = tokens[numbers[idx + 2]].start if idx + 2 < len(numbers) else len(sentence)
    later = [h for h in _attributes(sentence, seg_end, end, lexicon) if h.kind in allowed and h.kind != "included"]
    if idx + 1 < len(numbers):
        # "Nine of the 236 reports sought could not be retrieved": a step right after the whole's noun is the
        # whole's own participle; the part's predicate is the step after it
        whole_end = _noun_of(tokens, numbers[idx + 1], lexicon).end
        own = [h for h in later if h.kind in _STEP_KINDS and not sentence[whole_end:h.position].strip()]
        if own and any(h.kind in _STEP_KINDS and h.position > own[0].end for h in later):
            later = [h for h in later if h not in own]
    return forward_ok + later


def _parts_listed_after_colon(sentence: str, token: _Token, seg_end: int) -> bool:
    """"Theme (a) held 13 of the studies: eight on … and five on …": a colon right after the whole opens
    the list of its parts; what the list names is the parts', never the whole's."""
    colon = sentence.find(":", token.end)
    return 0 <= colon <= seg_end and not re.search(r"[,;]", sentence[token.end:colon])


@dataclass(frozen=True)
class _Reading:
    """One number being read: its sentence, the sentence's tokens, its place among the sentence's counts
    (``numbers[idx] == i``) and the stretch between the counts before and after it."""

    sentence: str
    tokens: list[_Token]
    i: int
    numbers: list[int]
    idx: int
    seg_start: int
    seg_end: int
    lexicon: Lexicon

    @property
    def token(self) -> _Token:
        return self.tokens[self.i]


def _classify(sentence: str, tokens: list[_Token], i: int, numbers: list[int], idx: int, seg_start: int,
              seg_end: int, lexicon: Lexicon, cited: bool, nouns: dict[int, str]) -> Claim | None:
    """The count the number at i states, if any: quantity → noun → which of them (qualifiers, scope) → claim.

    ``nouns`` records, for the numbers after it, what each number counts."""
    r = _Reading(sentence, tokens, i, numbers, idx, seg_start, seg_end, lexicon)
    group = _parenthetical_countries(sentence, tokens, i, lexicon)
    if group is not None and not cited:
        nouns[i] = "study"
        return _claim(sentence, r.token, group, r.token.end, None)
    noun, category, subset = _counted(sentence, tokens, i, numbers, idx, seg_start, seg_end, lexicon)
    nouns[i] = category
    if category == "guard" and not cited:
        own = _review_noun_count(r, noun)
        if own is not None:
            return own
    if _not_a_claim(r, noun, category, cited):
        return None
    decided, claim = _claim_by_noun(r, noun, category)
    if decided:
        return claim
    implicit = category == "implicit"
    category = "study" if implicit else category
    category, allowed, forward_ok, backward_ok = _candidates(sentence, tokens, i, numbers, idx, seg_start, seg_end,
                                                             lexicon, noun, category, subset, implicit)
    forward_ok = _included_as_verb(sentence, _not_compared(sentence, forward_ok, backward_ok))
    backward_ok = _not_taken_away(sentence, r.token.start, _steps_done_by_count(sentence, r.token, backward_ok))
    if _left_for_synthesis(sentence, r.token.start, category, implicit, forward_ok + backward_ok):
        return _claim(sentence, r.token, "included", noun.end, None)
    inner_named = [h for h in forward_ok if h.position < noun.end and h.kind not in _STEP_KINDS]
    whole_named = _named_whole(r, noun, category, forward_ok)
    if whole_named is not None:
        return _claim(sentence, r.token, _count_for(category, whole_named.kind, whole_named), noun.end, whole_named)
    if _is_whole(tokens, i, category) and not inner_named:
        return _claim(sentence, r.token, "included", noun.end, None)
    forward_ok = _beyond_frame_and_whole(r, noun, subset, forward_ok)
    if forward_ok is None:
        return None  # "In six trials the control group …", "Four of the quantitative studies …": a cross-tabulation
    # ("Eleven of the 16 service studies": the whole is itself named, theme (b)'s 16, read on)
    forward_ok, backward_ok, inner = _narrowed(r, noun, subset, allowed, forward_ok, backward_ok)
    hit, confident, near = _chosen_hit(r, noun, category, implicit, allowed, forward_ok, backward_ok, inner)
    decided, hit = _resolved_hit(r, hit, forward_ok, backward_ok)
    if decided and hit is None:
        return None
    hit = _country_gapped(sentence, r.token.start, backward_ok) or hit
    hit = hit if _country_of_own_item(r, hit) else _group_outside(sentence, hit, forward_ok + backward_ok)
    exceptions = _exceptions(sentence, noun)
    if exceptions == "described" and (hit is None or hit.position < r.token.start):
        return None  # "…; the two exceptions came from Asia": what the sentence said before is not theirs
    complement = bool(_COMPLEMENT_RE.search(sentence[:r.token.start])) or exceptions == "left out" or (
        hit is not None and hit.kind == "country_group" and (_OUTSIDE_RE.search(sentence[:hit.position])
                                                             or _from_elsewhere(sentence, r.token.end, hit)
                                                             or _outside_list(sentence, hit, forward_ok + backward_ok)))
    if complement and not inner and not _excepted_named(r, noun, hit):
        return _other_group_claim(r, noun, _past_the_whole(hit, forward_ok))
    if hit is not None:
        return _named_claim(r, noun, category, hit, confident, forward_ok + backward_ok, near)
    return _unqualified(sentence, tokens, i, noun, category, implicit, subset, lexicon)


def _exceptions(sentence: str, noun: _Noun) -> str:
    """A count of exceptions: "left out" when the rest of the sentence speaks of all the others ("With two
    exceptions, all studies came from western countries": the studies it does not hold for, as "all but two");
    "described" when the rest describes the exceptions themselves ("…; the two exceptions were from Malaysia
    and China"); "" for any other count."""
    if not re.search(r"\bexceptions?$", sentence[noun.start:noun.end], re.I):
        return ""
    return "left out" if re.search(r"\b(?:all|every|each)\b", sentence[noun.end:], re.I) else "described"


def _beyond_frame_and_whole(r: _Reading, noun: _Noun, subset: bool, forward: list[_Hit]) -> list[_Hit] | None:
    """The qualifiers after the number that may still be its own once those of a framing noun phrase ("In six
    trials, …") and of a qualified whole ("Four of the quantitative studies …") are taken out; None when
    such a frame or whole was there and nothing of the count's own is left (in how many, not which)."""
    frame_end = _frame_end(r, noun, subset)
    whole = _qualified_whole(r, forward) if subset else []  # (read before the frame's words are taken out)
    if frame_end is not None:
        forward = [h for h in forward if h.position >= frame_end and not h.weak]
        if not forward:
            return None
    if whole:
        forward = _parts_of_whole(forward, whole)
        if not forward:
            return None
    return forward


def _frame_end(r: _Reading, noun: _Noun, subset: bool) -> int | None:
    """"In six trials the control group received usual care", "In 3 contact investigations, contacts were
    followed …": a count that opens the sentence after *In* frames the clause that follows: it says in how
    many studies that clause holds, so its own noun phrase (*trials*, *contact investigations*) — or the
    whole it is part of ("In 37 of the 134 studies with a study file, the people studied were in the USA")
    — does not name its count; only a qualifier of that clause may. Where the frame ends, else None."""
    if not re.fullmatch(r"\W*in\s+", r.sentence[:r.token.start], re.I):
        return None
    if not subset:
        return noun.end
    comma = r.sentence.find(",", r.token.end)
    if 0 <= comma < r.seg_end or (comma >= 0 and r.idx + 1 < len(r.numbers)):
        return comma
    whole = re.match(r"\s+of\s+(?:the|these|those)\s+(?:[\w'-]+\s+){0,4}?(?:studies|trials|papers|reports|"
                     r"investigations|reviews)\b", r.sentence[r.token.end:], re.I)
    return r.token.end + whole.end() if whole else r.token.end


def _qualified_whole(r: _Reading, forward: list[_Hit]) -> list[_Hit]:
    """"Four of the quantitative studies …", "in two of the Danish trials": the qualifiers inside the noun
    phrase of a whole that has no number of its own. They name the whole, never the part taken from it
    (the part is the whole's studies that also do what the rest of the sentence says)."""
    phrase = _whole_phrase(r.sentence[r.token.end:], r.lexicon)
    if phrase is None:
        return []
    start, end = r.token.end + phrase.start(1), r.token.end + phrase.end(2)
    return [h for h in forward if start <= h.position and h.end <= end and h.kind not in _STEP_KINDS]


_WHOLE_PHRASE_RES = tuple(re.compile(r"\s+of\s+(?:the|these|those)\s+((?:[\w'-]+\s+){%d})([A-Za-z-]+)\b" % n, re.I)
                          for n in range(0, 5))


def _whole_phrase(rest: str, lexicon: Lexicon) -> re.Match | None:
    """The noun phrase of the whole in "N of the … studies", up to its head — the first word that counts
    studies or is a design word, so a number or a qualifier inside the whole ("of the 12 American studies")
    is not taken for its head."""
    for pattern in _WHOLE_PHRASE_RES:
        phrase = pattern.match(rest)
        head = _stem(phrase.group(2)) if phrase else ""
        if _NOUNS.get(head) == "study" or head in lexicon.design_words:
            return phrase
    return None


def _parts_of_whole(forward: list[_Hit], whole: list[_Hit]) -> list[_Hit]:
    """The qualifiers after a qualified whole that name a part of it the data counts — a sub-theme of the
    whole's theme, a country of its group ("Eight of the service studies used it as a direct strategy") —
    not the whole's own words, nor another kind of qualifier (a cross-tabulation the data does not count)."""
    end = max(h.end for h in whole)
    def narrower(h: _Hit, w: _Hit) -> bool:
        return (w.kind == "theme" and h.kind == "subtheme" and h.count.startswith(f"sub{w.count}.")) or \
            (w.kind == "country_group" and h.kind == "country")
    return [h for h in forward if h.position >= end and any(narrower(h, w) for w in whole)]


_ELSEWHERE_RE = re.compile(r"\s+(?:\w+\s+){0,2}?(?:from|in)\s+(?:the\s+)?(?:elsewhere|rest of the world)\b", re.I)


def _from_elsewhere(sentence: str, end: int, hit: _Hit) -> bool:
    """"27 studies came from western countries and 2 from elsewhere": a count of the group a named group
    (before the number) leaves over, as "outside the western world" is."""
    return hit.position < end and bool(_ELSEWHERE_RE.match(sentence, end))


_THAN_RE = re.compile(r"\bthan\s+(?:the\s+|in\s+|on\s+|for\s+)?$", re.I)


def _included_as_verb(sentence: str, forward: list[_Hit]) -> list[_Hit]:
    """"48 studies included all ages", "Fourteen studies included only older adults": *included* with an
    object the review names is the studies' verb (they covered it), not the review's inclusion step."""
    def verb(h: _Hit) -> bool:
        return h.kind == "included" and re.fullmatch(r"included", sentence[h.position:h.end], re.I) is not None and \
            any(o.kind not in _STEP_KINDS and re.fullmatch(r"\s+(?:only\s+|mainly\s+|mostly\s+|both\s+)?",
                                                            sentence[h.end:o.position], re.I) for o in forward)
    return [h for h in forward if not verb(h)]


def _not_compared(sentence: str, forward: list[_Hit], backward: list[_Hit]) -> list[_Hit]:
    """"Green roofs were studied less often (10 studies) than parks (14)": a name after "than" is the other
    side of a comparison, so the count before it belongs to the name before it (when there is one)."""
    if not backward:
        return forward
    compared = [h for h in forward if _THAN_RE.search(sentence[:h.position])]
    # (and the shorter names inside one: "(b)" of "than theme (b)", which ends before its bracket closes)
    return [h for h in forward if not any(c.position <= h.position <= c.end for c in compared)]


_LEAVING_RE = re.compile(r"\b(?:leaving|which left|to leave|left)\s+(?:only\s+|just\s+|a total of\s+)?$", re.I)


def _steps_done_by_count(sentence: str, token: _Token, backward: list[_Hit]) -> list[_Hit]:
    """"Sustained use was assessed by 16 studies" (or "in 16 studies"): a step verb whose agent is the count
    (*by N*, *in N*) says what the studies did, not that they went through the review's step — when something
    else names them."""
    agent = [h for h in backward if h.kind in _STEP_KINDS and re.fullmatch(r"\s+(?:by|in)\s+(?:only\s+|just\s+)?",
                                                                            sentence[h.end:token.start], re.I)]
    if not agent or not any(h.kind not in _STEP_KINDS for h in backward):
        return backward
    return [h for h in backward if h not in agent]


def _not_taken_away(sentence: str, start: int, backward: list[_Hit]) -> list[_Hit]:
    """"24 were excluded, leaving 29 studies": what is left is not what the step before took away, so an
    exclusion named before "leaving N" does not name N."""
    if not _LEAVING_RE.search(sentence[:start]):
        return backward
    return [h for h in backward if h.kind not in ("excluded", "notretrieved", "duplicates")
            and not h.count.endswith("_excluded")]


def _left_for_synthesis(sentence: str, start: int, category: str, implicit: bool, hits: list[_Hit]) -> bool:
    """"…, 24 were excluded, leaving 29 studies (for the synthesis)": the studies a PRISMA sentence ends with,
    named by nothing else, are the included studies."""
    return category == "study" and not implicit and not hits and bool(_LEAVING_RE.search(sentence[:start])) \
        and bool(re.search(r"\bexclu", sentence[:start], re.I))


def _country_gapped(sentence: str, start: int, backward: list[_Hit]) -> _Hit | None:
    """"… each contributed a single study, and Canada two": the verb left out, the country right before the
    number (after "and" or a comma) is what it counts, not the group the countries listed earlier make."""
    near = [h for h in backward if h.kind == "country" and not sentence[h.end:start].strip()]
    if not near or not re.search(r"(?:,|\band)\s*$", sentence[:near[-1].position]):
        return None
    return near[-1]


def _review_noun_count(r: _Reading, noun: _Noun) -> Claim | None:
    """"Twenty-two clusters are listed in the files", "The study files list 22 samples": a count of the
    review's own that is not of studies (``samples``: "samples (arms, clusters) listed in the study files")
    is named by the noun its meaning opens with, or one in that noun's brackets."""
    words = re.findall(r"[A-Za-z-]+", r.sentence[noun.start:noun.end])  # "sub-themes" is not "themes"
    if not words or _statistic_in(r.sentence, r.lexicon):
        return None
    if re.search(r"\bstud(?:y|ies)\s+(?:\w+ly\s+)?\w+\s*$", r.sentence[:r.token.start], re.I):
        return None  # "Some studies report two clusters": what studies report, each its own
    head = _stem(words[-1])
    for name, count in r.lexicon.counts.items():
        said = re.match(r"([a-z-]+)(?:\s*\(([^)]*)\))?", count.meaning or "")
        if "." in name or said is None:
            continue
        if head in {_stem(said.group(1))} | {_stem(w) for w in re.findall(r"[a-z]+", said.group(2) or "")}:
            return _claim(r.sentence, r.token, name, noun.end, None)
    return None


_OUTSIDE_RE = re.compile(r"\b(?:outside|beyond)(?: of)?(?: the)? ?$", re.I)


def _group_outside(sentence: str, hit: _Hit | None, hits: list[_Hit]) -> _Hit | None:
    """"Only one study, from Malaysia, was conducted outside the western world": the count's clause places the
    studies outside a group; that (its other group) is what it counts, though a country is named nearer (not
    in "… outside the western world: one from Malaysia and one from China", where each names its country)."""
    if hit is None or hit.kind != "country":
        return hit
    outside = [h for h in hits if h.kind == "country_group" and _OUTSIDE_RE.search(sentence[:h.position])
               and not re.search(r"[:;]", sentence[min(h.end, hit.position):max(h.position, hit.end)])]
    return outside[0] if len(outside) == 1 else hit


def _country_of_own_item(r: _Reading, hit: _Hit | None) -> bool:
    """"Only two studies came from outside the western world, one from Malaysia and one from China": a later
    count whose own item names its country right after it ("one from Malaysia") counts that country; the
    place outside a group, said before it and after an earlier count, was the earlier count's."""
    if hit is None or hit.kind != "country" or r.idx == 0 or hit.position < r.token.end:
        return False
    if not re.fullmatch(r"\s+(?:stud(?:y|ies)\s+)?(?:came\s+|was\s+|were\s+)?(?:from|in)\s+(?:the\s+)?",
                        r.sentence[r.token.end:hit.position], re.I):
        return False
    earlier = r.tokens[r.numbers[r.idx - 1]].end
    return bool(re.search(r"\b(?:outside|beyond)\b", r.sentence[earlier:r.token.start], re.I))


def _outside_list(sentence: str, hit: _Hit, hits: list[_Hit]) -> bool:
    """"Outside North America and Europe, eight studies came from 6 countries": a group joined by *and* / *or* / a
    comma to one the sentence places the studies outside is outside too."""
    return any(h.kind == "country_group" and h.end <= hit.position and _OUTSIDE_RE.search(sentence[:h.position])
               and re.fullmatch(r"\s*(?:,\s*)?(?:and|or)?\s*(?:the\s+)?", sentence[h.end:hit.position], re.I)
               for h in hits)


def _names_own_review(text: str) -> bool:
    """Words that put a number of a guarded sentence back into this review ("we included 29 studies [@a]") —
    but not "this review" as the owner of another version: "An earlier version of this review included 79"."""
    return any(not re.search(r"\b(?:version|edition|iteration|update)s?\s+of\s+$", text[:m.start()], re.I)
               for m in _OWN_REVIEW_RE.finditer(text))


def _not_a_claim(r: _Reading, noun: _Noun, category: str | None, cited: bool) -> bool:
    """Numbers that state no count whatever their qualifiers: what they count is not the review's, they sit
    in a clause about cited work, a statistic, or an indefinite "one"."""
    sentence, token = r.sentence, r.token
    if category in ("guard", "subtheme") or category is None:
        return True
    strong = _names_own_review(sentence[r.seg_start:r.seg_end]) and category in ("study", "implicit")
    if cited and not (strong and not re.search(r"\bof which\b|\bof these\b", sentence[token.end:r.seg_end])):
        return True
    if _statistic_in(sentence, r.lexicon):
        return True  # agreement statistics, effect sizes: numbers of a sample, not of the review
    if _picks_out_one_study(sentence, r.tokens, r.i, noun, category):
        return True
    return token.text.lower() == "one" and category not in ("study", "database", "theme", "fulltext", "report",
                                                             "record") and \
        not _orientation_near(sentence, token, r.seg_end, r.lexicon) and not _gapped_one(r)


def _gapped_one(r: _Reading) -> bool:
    """"severe in 12 studies, moderate in one and context-specific in two", "England added four, and Scotland
    one": a bare *one* closing its item, after a name, in a sentence that has counted before, is that count
    with its verb and noun left out — a count, as "two" would be."""
    k = r.i
    nxt = r.tokens[k + 1] if k + 1 < len(r.tokens) else None
    closes = nxt is None or nxt.text in (",", ";", ".", ")") or nxt.text.lower() in ("and", "or")
    earlier = [j for j in r.numbers[:r.idx] if r.tokens[j].kind == "num" and r.tokens[j].value not in (None, 1)]
    prev = r.tokens[k - 1] if k > 0 else None
    return closes and bool(earlier) and prev is not None and prev.kind == "word" and \
        (prev.text.lower() == "in" or prev.text[:1].isupper())


def _claim_by_noun(r: _Reading, noun: _Noun, category: str) -> tuple[bool, Claim | None]:
    """Counts the noun alone decides (databases, themes, questions, countries, duplicates; studies "reported
    in 71 articles"): (True, the claim or None); (False, None) when the qualifiers must decide."""
    sentence, token, counts = r.sentence, r.token, r.lexicon.counts
    whole_counts = {"database": "databases", "theme": "themes", "question": "questions"}
    if category in whole_counts:
        if noun.category == "of":
            return True, None  # "five databases, two of them preprint servers": a part, not the whole
        if category == "question" and re.match(r"\s*the\s", sentence[token.end:noun.end], re.I):
            # "and 14 the question on residents' experiences": studies (their verb left out) of one question
            return True, _question_named_after(r, noun)
        name = whole_counts[category]
        return True, (_claim(sentence, token, name, noun.end, None) if name in counts else None)
    if category == "country":
        # (or "One of the 14 countries": the countries as a whole the sentence takes a part of, the review's)
        about_studies = re.search(r"\b(?:stud(?:y|ies)|papers|articles|trials|included|reviews?|samples?|authors?|"
                                  r"affiliat\w*|distinct|evidence)\b", sentence, re.I) or \
            re.search(r"\b\w+\s+of\s+(?:the|these)\s+$", sentence[:token.start], re.I) or \
            _names_review_country(sentence, r.lexicon) or _COUNTRIES_REPRESENTED_RE.match(sentence, noun.end)
        return True, (_claim(sentence, token, "countries", noun.end, None)
                      if about_studies and "countries" in counts else None)
    if category == "duplicate":
        return True, _claim(sentence, token, "prisma.duplicates", noun.end, None)
    if category == "record" and not _SEARCH_RE.search(sentence):
        return True, None
    named = sentence[noun.start:noun.end].split()
    if category in ("study", "implicit") and "reports" in counts and r.i > 0 and \
            r.tokens[r.i - 1].text.lower() in ("in", "across") \
            and re.search(r"\b(?:reported|published|described|presented|written up)\s+(?:in|across)\s*$",
                          sentence[:token.start], re.I) and \
            _NOUNS.get(_stem(named[-1] if named else "")) == "study" and \
            (any(_is_number(r.tokens[k]) for k in r.numbers[:r.idx]) or _THE_STUDIES_REPORTED_RE.search(
                sentence[:token.start])):  # (or "The included studies were described in 46 publications")
        return True, _claim(sentence, token, "reports", noun.end, None)  # "the 64 studies were reported in 71 articles"
    if category != "fulltext" and _papers_beside_studies(r, named):
        return True, _claim(sentence, token, "reports", noun.end, None)
    return False, None


# "Twelve countries were represented": the countries the evidence comes from, the review's (a hedged number,
# "More than 40 countries were represented", is no claim before this is asked)
_COUNTRIES_REPRESENTED_RE = re.compile(r"\s+(?:were|are|was|is)\s+(?:\w+ly\s+)?represented\b", re.I)


def _names_review_country(sentence: str, lexicon: Lexicon) -> bool:
    """"Sixteen countries were represented, led by Kenya (11)": a count of countries in a sentence that names
    one of the review's own countries is the review's countries, though no word for studies is there."""
    names = {n for country, _, _ in lexicon.countries for n in (country, *lexicon.country_names(country))
             if n[:1].isupper() and n.lower() not in ("international", "other", "multinational")}
    return any(re.search(r"(?<![\w-])" + re.escape(n) + r"(?![\w-])", sentence) for n in names)


_THE_STUDIES_REPORTED_RE = re.compile(r"^\W*(?:the|all|our|these)\s+(?:\w+\s+)?(?:studies|trials)\s+(?:were|are|have been)"
                                      r"\s+(?:\w+\s+)?(?:reported|published|described|presented|written up)\s+"
                                      r"(?:in|across)\s*$", re.I)


def _papers_beside_studies(r: _Reading, named: list[str]) -> bool:
    """"The 29 included studies were each reported in a single paper, giving 29 papers in all": a sentence
    that counts studies and then papers (articles, publications) tells the two apart, as PRISMA does: the
    papers are the reports the studies appeared in."""
    if "reports" not in r.lexicon.counts or not named or _stem(named[-1]) not in ("paper", "article", "publication"):
        return False
    if any(w.lower() not in _MODIFIERS for w in named[:-1]):
        return False  # "two conceptual papers": a kind of study, named by its design
    return any(r.tokens[k].kind in ("num", "ph") and re.match(r"\s+(?:[\w-]+\s+){0,2}stud(?:y|ies)\b",
                                                              r.sentence[r.tokens[k].end:], re.I)
               for k in r.numbers[:r.idx])


def _question_named_after(r: _Reading, noun: _Noun) -> Claim | None:
    """The question a stretch after "the question" names, by any of its names, even one inside a longer
    name of a theme ("the question on residents' experiences": *experiences* is question 3's short label,
    *residents' experiences* also theme (c)'s words; after *the question* the question is meant)."""
    named = [h for h in _attributes(r.sentence, noun.start, r.seg_end, r.lexicon) if h.kind == "question"]
    if named:
        return _claim(r.sentence, r.token, named[0].count, named[0].end, named[0])
    words = f" {_norm(r.sentence[noun.end:r.seg_end])} "
    counts = {t.count for t in r.lexicon.terms if t.kind == "question" and f" {t.phrase} " in words}
    return _claim(r.sentence, r.token, counts.pop(), noun.end, None) if len(counts) == 1 else None


# What may follow a whole's noun and still be the whole's own phrase: "the 13 studies in theme (a)", "the 30
# studies reporting learning outcomes"
_WHOLE_TAIL_RE = re.compile(r"\s+(?:in|from|on|of|under|within|reporting|addressing|about)\s+(?:the\s+)?", re.I)


def _named_whole(r: _Reading, noun: _Noun, category: str, forward: list[_Hit]) -> _Hit | None:
    """"Eight of the 13 studies in theme (a) …", "Of the 30 studies reporting learning outcomes, 18 …", "In 6
    of the 12 DiD studies …": a whole its own noun phrase names (in the phrase, or right after the noun) is
    that named set, not all the included studies. The one name, else None. The cheap test first."""
    if category not in ("study", "implicit") or not (
            _is_whole(r.tokens, r.i, category)
            or re.fullmatch(r"\W*(?:of|out of|among|across)\s+(?:the|these|those)\s+", r.sentence[:r.token.start], re.I)):
        return None
    own = [h for h in forward if h.kind not in _STEP_KINDS and not h.weak and (
        h.position < noun.end or _WHOLE_TAIL_RE.fullmatch(r.sentence, noun.end, h.position))]
    return own[0] if len({h.count for h in own}) == 1 else None


def _is_whole(tokens: list[_Token], i: int, category: str) -> bool:
    """"nine of the 29 studies", "9/29", "out of 29": the whole set the review is about."""
    return category in ("study", "implicit") and (
        (i >= 3 and tokens[i - 1].text.lower() in ("the", "these", "all") and tokens[i - 2].text.lower() == "of"
         and _is_number(tokens[i - 3]))
        or (i >= 2 and tokens[i - 1].text.lower() in ("of", "/") and _is_number(tokens[i - 2]))
        or (i >= 2 and tokens[i - 1].text.lower() == "of" and tokens[i - 2].text.lower() == "out")
        or _vague_part_before(tokens, i))


# a part named by no number: "most of the 47 studies", "the majority of the 38 trials", "none of the 12 …"
_VAGUE_PARTS = frozenset("most many few some several half none majority minority third thirds quarter".split())


def _vague_part_before(tokens: list[_Token], i: int) -> bool:
    """"Most of the 47 studies came from high-income settings": the number after a part without one (*most*,
    *many*, *half*, *the majority*, *none*) and *of the* is the whole the part is taken from; what the rest of the
    sentence says is the part's, so only the whole's own noun phrase may name it (see _named_whole)."""
    return i >= 3 and tokens[i - 1].text.lower() in ("the", "these", "our") and tokens[i - 2].text.lower() == "of" \
        and tokens[i - 3].text.lower() in _VAGUE_PARTS


def _narrowed(r: _Reading, noun: _Noun, subset: bool, allowed: tuple[str, ...], forward_ok: list[_Hit],
              backward_ok: list[_Hit]) -> tuple[list[_Hit], list[_Hit], bool]:
    """The qualifiers that may be this count's, the others' taken out: the words before "(n = 2)", what
    follows an aside, a qualifier that belongs to the next count; and whether its own noun phrase names
    its set ("four Norwegian studies")."""
    sentence, token, numbers, idx = r.sentence, r.token, r.numbers, r.idx
    if _n_equals(r.tokens, r.i) and backward_ok:  # "conceptual studies (n = 2)": the words before name it
        forward_ok = []
    after_noun = max(noun.end, token.end)
    insertion = re.match(r"\s*,[^,]*,", sentence[after_noun:])
    aside = []
    if insertion and idx + 1 < len(numbers) and r.tokens[numbers[idx + 1]].start < after_noun + insertion.end():
        # "Thirty-eight studies, published in 40 papers, were included": what follows the aside is the 38's
        later = r.tokens[numbers[idx + 2]].start if idx + 2 < len(numbers) else len(sentence)
        aside = [h for h in _attributes(sentence, after_noun + insertion.end(), later, r.lexicon) if h.kind in allowed]
    if idx + 1 < len(numbers) and not subset:
        # a qualifier after "and" or a comma that stands before the next count is that count's:
        # "theme (b) held sixteen studies and theme (a) thirteen", "Norway five and England three";
        # the last such word: "29 reported effects on income or herd survival (question 2) and 22 …"
        # ("53 full texts we kept 29 studies": a new subject opens the next count's clause)
        # (not an "and" inside a name: "platforms for domestic and care work")
        boundary = ([None] + [m for m in re.finditer(r"[,;]|\b(?:and|or|while|whereas|but|then|we)\b",
                                                     sentence[after_noun:r.seg_end])
                              if not any(h.position < after_noun + m.start() < h.end for h in forward_ok)])[-1]
        if boundary:
            forward_ok = [h for h in forward_ok if h.position < after_noun + boundary.start()]
    forward_ok = _part_of_group(r, subset, forward_ok + aside)
    inner = [h for h in forward_ok if h.position < noun.end and h.kind not in _STEP_KINDS]
    if inner:  # "four Norwegian studies", "nine North American studies": the noun phrase names its own set
        return inner, [], True
    return forward_ok, backward_ok, False


def _part_of_group(r: _Reading, subset: bool, hits: list[_Hit]) -> list[_Hit]:
    """"four of the Western Pacific studies came from South Korea": the group names the whole; a country of
    that group named after it is the part's own qualifier (as a sub-theme of the whole's theme is)."""
    if not subset:
        return hits
    groups = [h for h in hits if h.kind == "country_group"]
    for group in groups:
        members = {f"country.{_slug(m)}" for m in _group_members(r.lexicon, group.count)}
        if any(h.kind == "country" and h.count in members and h.position > group.end for h in hits):
            hits = [h for h in hits if h is not group]
    return hits


def _chosen_hit(r: _Reading, noun: _Noun, category: str, implicit: bool, allowed: tuple[str, ...],
                forward_ok: list[_Hit], backward_ok: list[_Hit], inner: bool
                ) -> tuple[_Hit | None, bool, list[_Hit]]:
    """Which qualifier names the count, nearest first: the step named before "of", a review question, the
    same comma-clause after then before the number, then further away. Returns it, whether the words
    leave no doubt, and the qualifiers of the same stretch (its rivals)."""
    sentence, token, tokens, idx = r.sentence, r.token, r.tokens, r.idx
    # the same comma-clause first: "Theme (a) comprised 13 studies, theme (b) 16"
    comma_after = re.search(r"[,;:]", sentence[noun.end:r.seg_end] if noun.end > token.end
                            else sentence[token.end:r.seg_end])
    near_end = (max(noun.end, token.end) + comma_after.start()) if comma_after else r.seg_end
    commas_before = [m.end() for m in re.finditer(r"[,;:]", sentence[r.seg_start:token.start])]
    near_start = r.seg_start + commas_before[-1] if commas_before else r.seg_start
    forward_near = [h for h in forward_ok if h.position < near_end]
    backward_near = [h for h in backward_ok if h.position >= near_start]
    near = forward_near + backward_near
    of_step = [h for h in backward_ok if re.fullmatch(r"\s+of\s+(?:the\s+|all\s+)?", sentence[h.end:token.start])]
    questions = [h for h in forward_ok + backward_ok if h.kind == "question"]
    confident = bool(inner or of_step or (_n_equals(tokens, r.i) and backward_ok))
    hit = None
    if of_step:  # "screening of 2,305 records", "the assessment of 53 full texts"
        hit = of_step[-1]
    elif questions and _QUESTION_RE.search(sentence):  # "RQ1, on the causes of flakiness, was addressed by 52"
        return _passive_agent_of(sentence, token, questions) or questions[0], True, near
    elif _named_with(sentence, token, backward_ok) is not None:  # "thinnest for Oceania, with four studies"
        hit = _named_with(sentence, token, backward_ok)
    elif forward_near:
        hit = min(forward_near, key=lambda h: (h.position, _kind_rank(h.kind)))
    elif any(_verb_right_before(sentence, h, token) for h in backward_near if h.kind in _STEP_KINDS):
        # "… and included 29", "excluded (n = 24)": the count's own step verb
        hit = next(h for h in backward_near if h.kind in _STEP_KINDS and _verb_right_before(sentence, h, token))
    elif backward_near and [h for h in backward_near if h.kind != "included"]:
        hit = max(backward_near, key=lambda h: (h.end, -_kind_rank(h.kind)))
    elif forward_ok:
        hit = min(forward_ok, key=lambda h: (h.position, _kind_rank(h.kind)))
    elif backward_ok and not (implicit and idx > 0 and re.search(r"(?:,|\band)\s*$", sentence[:token.start])) and \
            not (category in ("fulltext", "record") and idx > 0 and all(h.kind in _STEP_KINDS for h in backward_ok)):
        # (nor do "… after removing duplicates, and read 69 in full": those steps were the earlier counts')
        # (a count after "…, 15 at home" takes nothing from before the comma: that was the previous count's)
        hit = max(backward_ok, key=lambda h: (h.end, -_kind_rank(h.kind)))
    if hit is None and idx > 0 and not backward_ok:
        # "Theme (b), the larger of the two themes, comprised sixteen papers": across the aside
        previous = tokens[r.numbers[idx - 1]]
        aside = re.search(r",[^,]*$", sentence[:previous.start])
        if aside and re.search(r",", sentence[previous.end:token.start]):
            before_aside = [h for h in _attributes(sentence, 0, aside.start(), r.lexicon) if h.kind in allowed
                            and h.kind not in _STEP_KINDS]
            hit = before_aside[-1] if len(before_aside) == 1 else None
    return _reason_for_exclusion(sentence, hit, forward_ok + backward_ok), confident, near


def _named_with(sentence: str, token: _Token, backward: list[_Hit]) -> _Hit | None:
    """"Evidence was thinnest for Oceania, with four studies, and Asia, with seven": a name followed by
    *, with N* is what the N studies are — not the name after the count, which has its own *with*."""
    named = [h for h in backward if h.kind not in _STEP_KINDS and
             re.fullmatch(r"\s*,\s*with\s+(?:only\s+|just\s+)?", sentence[h.end:token.start], re.I)]
    return named[-1] if named else None


def _reason_for_exclusion(sentence: str, hit: _Hit | None, hits: list[_Hit]) -> _Hit | None:
    """"Thirty-eight full texts were excluded because they studied the wrong population": a reason for
    excluding, in the same clause as *excluded*, names a part of the excluded full texts, the more precise
    count (as a sub-theme is of its theme) — but not one of several reasons ("most were viewpoints or had a
    weak design") nor one with its own count in brackets ("…, most often no control sites (31)")."""
    reasons = [h for h in hits if h.kind == "reason"]
    if hit is None or hit.kind != "excluded" or len(reasons) != 1:
        return hit
    reason = reasons[0]
    between = sentence[min(hit.end, reason.end):max(hit.position, reason.position)]
    if re.search(r"[,;(]|\bor\b|\bmost\b", between, re.I) or re.match(r"\s*(?:\(|or\b|and\b)", sentence[reason.end:]):
        return hit
    return reason


def _passive_agent_of(sentence: str, token: _Token, hits: list[_Hit]) -> _Hit | None:
    """"Question 1 was addressed by 31 studies, question 2 by 25": a count after "by" is the agent of the
    name just before it (in its own clause, perhaps past an aside: "Question 1, on …, was addressed by 130"),
    not of the name that follows."""
    before = [h for h in hits if h.end <= token.start and
              re.fullmatch(r"(?:\s*,[^,;:]*,)?[^,;:]*\bby\s*", sentence[h.end:token.start])]
    return before[-1] if before else None


_ONE_REASON_RE = re.compile(r"\s+(?:because|since|as|due to|for)\s+(?:the|they|it|their|its|a|an|being|not|no|of|"
                            r"[a-z]+ing)\b(?![^.;]*(?:\(n\s*=|\(\d|\bor\b|,))", re.I)


def _excluded_for_one_reason(r: _Reading, hit: _Hit) -> bool:
    """"Forty-one reports were excluded because the review was not performed by humans": those excluded for
    one reason, named right after *excluded*, are a part of the excluded the data counts only where the review
    keeps its reasons (then _reason_for_exclusion names it); otherwise no count — not the excluded total."""
    if hit.kind != "excluded" or hit.position < r.token.end or \
            any(n.startswith("prisma.dbr_excluded_reason.") for n in r.lexicon.counts):
        return False
    return bool(_ONE_REASON_RE.match(r.sentence, hit.end))


def _resolved_hit(r: _Reading, hit: _Hit | None, forward_ok: list[_Hit], backward_ok: list[_Hit]
                  ) -> tuple[bool, _Hit | None]:
    """The chosen qualifier made precise: records from registers, several countries as their group.
    (True, None) when it names nothing the data counts (a cross-tabulation, a sum of countries)."""
    if hit is None:
        return False, None
    if hit.kind == "identified":
        register = [h for h in forward_ok + backward_ok if h.kind == "register"]
        hit = register[0] if register else hit  # "trial registers yielded 421 records"
    if hit.kind not in _STEP_KINDS and _cross_tabulated(r.sentence, r.tokens, r.numbers, r.idx, hit, r.lexicon):
        return True, None  # "Of the eight studies on status …, five were quantitative": the data has no such count
    if _excluded_for_one_reason(r, hit):
        return True, None
    if hit.kind == "country":
        # several countries named together: the group they all belong to ("two (Malaysia and China)")
        named = _countries_named_with(r.sentence, hit, forward_ok or backward_ok)
        if len(named) > 1:
            if re.search(r"\btogether\b|\bcombined\b|\bbetween them\b|\bjointly\b", r.sentence, re.I):
                return True, None  # "Canada and the USA together contributed twelve": a sum the data does not count
            group = _common_group(r.lexicon, named)
            if group is None:
                return True, None
            hit = _Hit(hit.position, "country_group", group, max(h.end for h in forward_ok or backward_ok))
    return False, hit


def _countries_named_with(sentence: str, hit: _Hit, hits: list[_Hit]) -> set[str]:
    """The countries named together with the chosen one — a list joined by commas, *and*, *or*
    ("two (Malaysia and China)", "the USA, Canada and Mexico contributed 12") — not every country of the
    stretch: in "seven Italian, ahead of Spain with four" *Italian* is the earlier count's."""
    countries = sorted((h for h in hits if h.kind == "country"), key=lambda h: h.position)
    if hit not in countries:
        return {h.count for h in countries}
    at = countries.index(hit)
    run = [hit]
    for step in (-1, 1):
        k = at
        while 0 <= k + step < len(countries):
            a, b = (countries[k + step], countries[k]) if step < 0 else (countries[k], countries[k + step])
            if not re.fullmatch(r"\s*(?:,|,?\s*(?:and|or|&))?\s*(?:the\s+)?", sentence[a.end:b.position], re.I):
                break
            k += step
            run.append(countries[k])
    return {h.count for h in run}


# "every study stated its design": the positive of _NOT_REPORTED_DESIGN's "did not state its design"
_REPORTED_DESIGN_RE = re.compile(r"\b(?:described|reported|stated|named|gave|specified)\s+(?:a|its|their|the)\s+"
                                 r"(?:study\s+)?(?:design|methods?|methodology)\b", re.I)


# a list of capitalised names after "from" / "in": "from Spain, Portugal and Australia", "in the USA and Canada"
_NAME = r"(?:the\s+)?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*"
_NAME_LIST_RE = re.compile(r"\s*,?\s*(?:from|in)\s+" + _NAME + r"(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+)" + _NAME + r")+")


def _group_of_named_countries(r: _Reading, noun: _Noun) -> str | None:
    """"Apart from two studies, from Malaysia and China, all … came from western countries": the studies left
    out are named by their countries right after them (or by the countries' adjectives before their noun); when these countries make one group, the number
    counts that group's studies (not the group the rest of the sentence names)."""
    # ("…, one from Malaysia and one from China, …": one study from each)
    aside = re.match(r"\s*,?\s*(?:one\s+)?(?:from|in)\s+[^,;]*", r.sentence[max(noun.end, r.token.end):])
    names = _NAME_LIST_RE.match(r.sentence, max(noun.end, r.token.end))  # "from Spain, Portugal and Australia"
    aside = names if names and aside and names.end() - names.start() > aside.end() else aside
    start = max(noun.end, r.token.end)
    end = start if aside is None else aside.end() if aside is names else start + aside.end()
    # "Except for three Ghanaian and Iranian studies": or by their adjectives, in the noun phrase itself
    countries = {h.count for h in _attributes(r.sentence, r.token.end, end, r.lexicon)
                 if h.kind == "country"}
    if len(countries) < 2:
        return None
    group = _common_group(r.lexicon, countries)
    return group if group in r.lexicon.counts else None


def _excepted_named(r: _Reading, noun: _Noun, hit: _Hit | None) -> bool:
    """"Except for nine studies from South Asia, all …", "Apart from eight studies in the Asia-Pacific region,
    all …", "With the exception of three studies that did not name the crop, all …": the excepted studies
    carry their own qualifier (after *from*, *in*, *on*, *that*, *which*, *with*, *without*), inside the
    opening phrase the comma closes; that qualifier names them, not the others."""
    if hit is None or not _EXCEPTED_OPENING_RE.match(r.sentence[:r.token.start]):
        return False
    comma = r.sentence.find(",", noun.end)
    return comma > hit.position >= noun.end and bool(
        _EXCEPTED_LINK_RE.match(r.sentence[noun.end:hit.position]))


# an opening "Except for", "Apart from", "With the exception of" (not "all but": the others' own sentence)
_EXCEPTED_OPENING_RE = re.compile(r"\W*(?:except(?: for)?|apart from|aside from|with the exception of)\s+$", re.I)
# what joins the excepted noun to its own qualifier: a preposition or a relative clause, a few words long
_EXCEPTED_LINK_RE = re.compile(r"\s+(?:from|in|on|of|with|without|that|which|who)\b(?:\s+[\w'-]+){0,6}?\s*$", re.I)


def _other_group_claim(r: _Reading, noun: _Noun, hit: _Hit | None) -> Claim | None:
    """"all but two … western countries", "from outside the western world", "All but two studies took place
    in Europe, Australasia or North America": the one group the sentence leaves unnamed; "With the exception
    of four studies, every study stated its design": the studies that did not."""
    if hit is None and _REPORTED_DESIGN_RE.search(r.sentence, r.token.end) and \
            "orientation.not_reported" in r.lexicon.counts:
        return _claim(r.sentence, r.token, "orientation.not_reported", noun.end, None)
    reported = r.lexicon.reported_re.search(_norm(r.sentence[r.token.end:])) if r.lexicon.reported_re else None
    unreported = r.lexicon.reported_heads[reported.group("head")] if reported else ""
    if reported and (hit is None or hit.count.split(".")[0] == unreported.split(".")[0]):
        return _claim(r.sentence, r.token, unreported, noun.end, None)  # a value of that field: the same field
    groups = [g for g in r.lexicon.counts if g.startswith("country_group.")]
    own = _group_of_named_countries(r, noun)
    if own is not None:
        return _claim(r.sentence, r.token, own, noun.end, hit)
    if hit is None or hit.kind != "country_group":
        return None
    named = {h.count for h in _attributes(r.sentence, r.token.end, len(r.sentence), r.lexicon)
             if h.kind == "country_group"} | {hit.count}
    rest = [g for g in groups if g not in named]
    if len(rest) != 1:
        return None
    return _claim(r.sentence, r.token, rest[0], noun.end, hit)


def _past_the_whole(hit: _Hit | None, forward: list[_Hit]) -> _Hit | None:
    """"Apart from three, every included study was conducted in a western country": in the others' clause the
    review's own inclusion word names the whole the exceptions are taken from, not what sets them apart; the
    qualifier after it does (the group the excepted studies are not in)."""
    if hit is None or hit.kind != "included":
        return hit
    return next((h for h in sorted(forward, key=lambda h: h.position)
                 if h.position > hit.position and h.kind not in _STEP_KINDS), hit)


def _named_claim(r: _Reading, noun: _Noun, category: str, hit: _Hit, confident: bool, named: list[_Hit],
                 near: list[_Hit]) -> Claim:
    """The claim of the count the qualifier names; unless the words leave no doubt, with the other counts
    named in the same stretch of the sentence as alternatives."""
    if hit.kind in ("theme",):  # a sub-theme named in the same place is the more precise count
        sub = [h for h in named if h.kind == "subtheme"]
        if sub:
            hit = sub[0]
    name = _other_sources(_count_for(category, hit.kind, hit), r.sentence, r.lexicon)
    claim = _claim(r.sentence, r.token, name, noun.end, hit)
    if confident:
        return claim
    rivals = [h for h in near if h.kind not in _STEP_KINDS and h.count != hit.count
              and not (hit.kind == "subtheme" and h.kind == "theme" and hit.count.startswith("sub" + h.count))]
    names = tuple(dict.fromkeys(_count_for(category, h.kind, h) for h in rivals))
    return replace(claim, alternatives=tuple(n for n in names if n != name and n in r.lexicon.counts))


def _picks_out_one_study(sentence: str, tokens: list[_Token], i: int, noun: _Noun, category: str) -> bool:
    """"One Swedish study followed …", "One Brazilian review also examined …": an indefinite "one" opening
    the sentence with a qualifier inside its noun phrase introduces a study, it does not count a set
    (a count says "one study came from Sweden", "only one study was Swedish"; a list "one Malaysian and
    one Chinese study" is still counted)."""
    if category != "study" or tokens[i].text.lower() != "one" or sentence[:tokens[i].start].strip(" *_\"'“(["):
        return False
    inside = [t for t in tokens[i + 1:] if t.end <= noun.end]
    # a capitalised word is a proper adjective ("Norwegian", though "norwegian" is also a modifier that
    # leaves a count whole): it qualifies the study as any other qualifier does
    if len(inside) < 2 or all(t.text.lower() in _MODIFIERS and not t.text[:1].isupper() for t in inside[:-1]):
        return False
    after = next((t for t in tokens[i + 1:] if t.start >= noun.end), None)
    return after is not None and after.kind == "word" and after.text.lower() not in ("and", "or")


# "46 studies published in 53 reports", "48 studies (53 reports)": the reports the studies themselves
# appeared in, whatever search or screening step the sentence names elsewhere
_REPORTS_OF_STUDIES_RE = re.compile(r"(?:\bstud(?:y|ies)|^\W*(?:they|these|these studies))\s+(?:\(|(?:were\s+|was\s+)?(?:\w+ly\s+)?(?:published|reported|"
                                    r"described|presented|written up|appearing|appeared)\s+(?:in|across)\s+)$", re.I)


def _unqualified(sentence: str, tokens: list[_Token], i: int, noun: _Noun, category: str, implicit: bool,
                 subset: bool, lexicon: Lexicon) -> Claim | None:
    """The count a number states when nothing nearby singles out a set: the whole it names, if any."""
    token = tokens[i]
    if subset:
        return None  # "29 of the 53 full texts …": a part, named by nothing the data counts
    if category in ("fulltext", "report") and _OTHER_SOURCES_RE.search(sentence) and \
            "prisma.other_assessed" in lexicon.counts:
        # "snowballing added 12 reports"; but reports some of which "could not be obtained" were sought, and so
        # were reports "of which seven were assessed": a whole whose part is assessed comes before that step
        sought = (dict(_STEP_RES)["notretrieved"].search(sentence, noun.end) or
                  _PART_ASSESSED_RE.match(sentence, noun.end)) and \
            lexicon.counts.get("prisma.other_sought_reports") is not None
        name = "prisma.other_sought_reports" if sought else "prisma.other_assessed"
        return _claim(sentence, token, name, noun.end, None)
    if category == "fulltext":
        return _claim(sentence, token, "prisma.dbr_assessed", noun.end, None)
    if category == "report" and "reports" in lexicon.counts and (_REPORTS_OF_STUDIES_RE.search(
            sentence[:token.start]) or not _SEARCH_RE.search(sentence) and re.search(r"\bstud(?:y|ies)\b", sentence, re.I)):
        return _claim(sentence, token, "reports", noun.end, None)  # "29 studies correspond to 29 reports"
    if category == "record":
        return _claim(sentence, token, "prisma.identified", noun.end, None)
    if category == "study" and not implicit and _STUDIES_IN_REPORTS_RE.match(sentence, noun.end):
        # "The map draws on 64 studies published in 78 articles", "Our 36 studies were reported in 39 papers":
        # studies set against the papers that report them are all the studies, whatever word comes before
        return _claim(sentence, token, "included", noun.end, None)
    if category == "study" and not implicit:
        # "The 29 articles", "all 29 studies": the set the review is about
        prev = tokens[i - 1].text.lower() if i > 0 else ""
        if prev in ("the", "all", "these") and not subset:
            # sure only when nothing but words like "included" stand between the number and its noun:
            # "the three literature reviews" may count something the rules do not know
            between = [t.text.lower() for t in tokens[i + 1:] if t.start < noun.end][:-1]
            sure = all(w in _WHOLE_WORDS for w in between)
            return replace(_claim(sentence, token, "included", noun.end, None), sure=sure)
    return None


# "… 64 studies published in 78 articles", "… were reported in 39 papers": the studies, then their reports
_STUDIES_IN_REPORTS_RE = re.compile(r"\s+(?:were\s+|was\s+)?(?:\w+ly\s+)?(?:published|reported|described|presented|"
                                    r"written up|appearing|appeared)\s+(?:in|across)\s+(?:\d[\d,]*|[a-z]+(?:-[a-z]+)?)\s+"
                                    r"(?:papers|articles|reports|publications|records)\b", re.I)
_PART_ASSESSED_RE = re.compile(r"\W*(?:of (?:which|these|them|those))\s+[\w,]+\s+(?:were|was)\s+(?:[a-z]+ed\s+and\s+)?"
                               r"(?:assessed|read)\b",
                               re.I)
_STEP_KINDS = ("register", "included", "excluded", "screened", "assessed", "sought", "notretrieved", "identified",
               "duplicates")


def _cross_tabulated(sentence: str, tokens: list[_Token], numbers: list[int], idx: int, hit: _Hit,
                     lexicon: Lexicon) -> bool:
    """A part of a whole named by one kind of qualifier, singled out by another kind (a design within a
    sub-theme): a cross-tabulation. A sub-theme within its theme, a country within its group, are counts."""
    whole_at = re.match(r"\W*(?:of|among|within|in)\s+(?:the|these|those|all)?\s*", sentence, re.I)
    if not whole_at or idx == 0 or tokens[numbers[0]].start != whole_at.end():
        return False
    comma = sentence.find(",", tokens[numbers[0]].end)
    if comma < 0 or tokens[numbers[idx]].start < comma:
        return False
    whole = [h for h in _attributes(sentence, tokens[numbers[0]].end, comma, lexicon) if h.kind not in _STEP_KINDS]
    if not whole:
        return False
    for w in whole:
        if w.count == hit.count:
            return False
        if w.kind == "theme" and hit.kind == "subtheme" and hit.count.startswith("sub" + w.count + "."):
            return False
        if w.kind == "country_group" and hit.kind == "country":
            return False
    return True


def _kind_rank(kind: str) -> int:
    order = ("subtheme", "theme", "question", "orientation", "field", "keyword", "country", "country_group", "database", "duplicates",
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
    return any(h.kind in ("orientation", "theme", "subtheme", "country", "country_group", "field", "question",
                          "keyword") for h in _attributes(sentence, token.end, seg_end, lexicon))


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
_NUMERIC_CITATION_RE = re.compile(r"\[\d{1,3}(?:\s*[,;–-]\s*\d{1,3})*\](?![{(\[])")
# Each pattern stops at the next place it could start again, so a hostile line of "<<<<…" or "](](…" costs
# linear time, not quadratic; comments are found without a regular expression (charter.sources.wellformed).
_MASKS = (
    re.compile(r"`[^`\n]*`"),  # inline code
    None,  # comments
    re.compile(r"<[^<>\n]+>"),  # HTML tags
    re.compile(r"(?:https?://|www\.|doi:\s*)\S+|\b10\.\d{4,}/\S+"),  # URLs and DOIs
    re.compile(r"\]\((?:[^)\n\]]|\](?!\())*\)"),  # link targets
    re.compile(r"\[\^[^\]\[\n]*\]"),  # footnote markers
    _NUMERIC_CITATION_RE,  # "[2,4]", "[2–5]": a numeric citation style's rendering (a returned DOCX)
    re.compile(r"\$[^$\n]+\$"),  # math
    # attributes {#sec-x .unnumbered}, {checklist="5,6"} (a count annotation {count=…} is read, not masked)
    re.compile(r"\{(?:\s*[#.]|(?!\s*count\s*=)\s*[A-Za-z][\w-]*\s*=)[^{}\n]*\}"),
)
_CITE_BRACKETS_RE = re.compile(r"\[[^\[\]\n]*@[A-Za-z0-9_][^\[\]]*\]"
                               r"|(?<![\w@.\-])@(?!(?:tbl|fig|sec|eq|lst)-)[A-Za-z0-9_][\w:.#$%&\-+?<>~/]*")


# a table row that states one count: a label cell, a count cell, and perhaps cells of its share
# ("| Qualitative | 9 | 31% |"), perhaps after a key cell ("| (a) | Social support … | 8 | 28% |"); a row with
# more numbers is a cross-tabulation and is not read
# perhaps with an abbreviation cell of its own before or after the label ("| RFE | Randomised field experiment | 8 |",
# "| Occupational screening | SO | 18 |")
_COUNT_ROW_RE = re.compile(r"(?:\|\s*\([A-Za-z]{1,3}\)\s*)?(?:\|\s*[A-Z][A-Za-z]{0,5}\s*)?\|\s*[^|\d][^|]*"
                           r"(?:\|\s*[A-Z][A-Za-z]{0,5}\s*)?\|\s*(?P<count>\d[\d,]*|[A-Za-z-]+)\s*"
                           r"(?:(?<=\d)\s*(?:studies|trials|papers|reports)\s*)?"
                           r"(?:\|\s*\(?\d+(?:\.\d+)?\s*%\)?\s*)*(?:\|[^|\d]*[A-Za-z][^|\d]*(?=\|))*\|?")
# (and perhaps the count's noun in its cell, "| 13 studies |", and cells of words after it, "| Sweden, UK |",
# "| High confidence |": what the row's count stands for, no number of its own)
_SHARE_HEADING_RE = re.compile(r"^\s*(?:%|per ?cent|percentage|share|proportion)(?:\s*\(%\))?\s*$", re.I)


def _share_cells_marked(line: str, heading: list[str]) -> str:
    """A row whose heading names a column a share ("| Country | Studies | % |") gives that column's bare
    numbers as shares: "| Norway | 5 | 17 |" is read as "| Norway | 5 | 17% |". Cells are only appended to
    after the row's first number, so the label and count keep their places (see _mask_count_row)."""
    cells = line.split("|")
    if len(cells) != len(heading) or not any(_SHARE_HEADING_RE.match(h) for h in heading):
        return line
    seen_number = False
    for k, (cell, head) in enumerate(zip(cells, heading)):
        if seen_number and _SHARE_HEADING_RE.match(head) and re.fullmatch(r"\s*\d+(?:\.\d+)?\s*", cell):
            cells[k] = cell.rstrip() + "%" + (" " if cell.endswith(" ") else "")
        seen_number = seen_number or bool(re.fullmatch(r"\s*\d[\d,]*\s*", cell))
    return "|".join(cells)


def _mask_count_row(chars: list[str], line: str, offset: int, read_as: str | None = None) -> None:
    """A two-cell row of a table, "| Qualitative | 9 |" (perhaps with its share, "| 9 | 31% |"), reads as
    "Qualitative 9": the share is blanked with the bars; the bar before the count cell is kept as a tab
    (blank to the reader, same length), so "| Randomised controlled trial | 11 |" does not read as the label
    "trial 11" (see _across_cells)."""
    row = _COUNT_ROW_RE.fullmatch((read_as or line).strip())
    lead = len(line) - len(line.lstrip())
    boundary = line.rfind("|", 0, lead + row.start("count"))
    for k in range(lead + row.end("count"), len(line)):
        chars[offset + k] = " "
    for bar in re.finditer(r"\|", line):
        chars[offset + bar.start()] = "\t" if bar.start() == boundary else " "


# a table row of names and their counts side by side, two or more pairs ("| USA | 10 | Norway | 5 |",
# "| CI | 17 | OI | 33 |"): a count table laid out across the page rather than down it
_COUNT_PAIRS_ROW_RE = re.compile(r"(?:\|\s*[^|\d\s][^|\d]*\|\s*\d[\d,]*\s*){2,}\|?")


def _count_pairs_row(stripped: str, heading: list[str]) -> bool:
    """A row of name and count cells in turn reads as the list "USA 10, Norway 5": each pair is one count.
    Not when a count cell holds a year ("| Smith | 2019 | Norway | 120 |" is a row of study details), nor under a
    heading whose name columns differ ("| Author | Year | Country | N |"): only a heading that repeats its pair
    of columns ("| Country | n | Country | n |") heads counts laid out across."""
    if not _COUNT_PAIRS_ROW_RE.fullmatch(stripped):
        return False
    cells = [c.strip() for c in stripped.strip("|").split("|")]
    if any(re.fullmatch(r"1[89]\d\d|20\d\d", c) for c in cells[1::2]):
        return False
    heads = [h.strip().lower() for h in heading[1:-1]] if heading else []
    return not heads or (len(heads) == len(cells) and len(set(heads[0::2])) == 1 and len(set(heads[1::2])) == 1)


def _mask_count_pairs(chars: list[str], line: str, offset: int) -> None:
    """Each bar before a count becomes a tab (see _across_cells), each bar after one a comma, the others blanks."""
    bars = [m.start() for m in re.finditer(r"\|", line)]
    for n, bar in enumerate(bars):
        chars[offset + bar] = "\t" if n % 2 == 1 else ("," if 0 < n < len(bars) - 1 else " ")


def _table_heading(stripped: str, heading: list[str]) -> list[str]:
    """The heading row's cells of the table a line belongs to: a table row without digits (not the
    ruler) starts one; a line that is no table row ends it, but a caption that names the columns
    ("Table 2. Designs (n, %)") heads the two-number rows after it."""
    if not stripped.startswith("|"):
        return ["", " label ", " n ", " % ", ""] if re.search(r"\(n,\s*%\)\s*$", stripped) else []
    if re.fullmatch(r"[|\s:-]+", stripped) or re.search(r"\d", stripped):
        return heading
    return stripped.split("|")


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
    headings: list[tuple[int, int]] = []
    # front matter, fenced code, headings, tables, div fences, placement lines, images
    offset = 0
    in_fence = None
    in_front = lines and lines[0].strip() == "---"
    heading: list[str] = []  # the cells of the last table row without a number: the table's heading
    for n, line in enumerate(lines):
        stripped = line.strip()
        blank_line = False
        heading = _table_heading(stripped, heading)
        read_as = _share_cells_marked(stripped, heading) if stripped.startswith("|") else stripped
        read_as = _shares_in_count_rows(read_as) if stripped.startswith("|") else read_as
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
        elif re.match(r"^#{1,6}\s", stripped):
            # a heading is prose too ("Theme (a) … (13 studies)"): only its marks are blanked
            marks = re.match(r"^\s*#{1,6}\s", line)
            blank(offset, offset + marks.end())
            closing = re.search(r"\s#+\s*$", line)
            if closing:
                blank(offset + closing.start(), offset + len(line))
            headings.append((offset, offset + len(line)))
        elif _count_pairs_row(stripped, heading):
            _mask_count_pairs(chars, line, offset)
            headings.append((offset, offset + len(line)))
        elif _COUNT_ROW_RE.fullmatch(read_as) and not re.fullmatch(r"[|\s:-]+", stripped):
            _mask_count_row(chars, line, offset, read_as)
            headings.append((offset, offset + len(line)))
        elif re.match(r"^(\||\+[-=+]|:::|!\[|\{\{\s*(table|figure):)", stripped) or \
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
    # a heading (or a two-cell table row) ends its paragraph: its line break becomes "\r" (same length)
    for _, end in headings:
        if end < len(chars) and chars[end] == "\n":
            chars[end] = "\r"
    masked = "".join(chars).replace("*", " ").replace("\\", " ")
    return masked, annotations


def paragraphs(masked: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph (run of non-blank lines) of masked text."""
    # line by line: the equivalent regular expression takes seconds on one long line of spaces; a "\r"
    # (put after a heading by mask_markdown) ends a paragraph as a blank line does
    spans: list[tuple[int, int]] = []
    offset, start, end = 0, None, 0
    for line, separator in re.findall(r"([^\n\r]*)([\n\r]|$)", masked):
        if line.strip():
            start = offset if start is None else start
            end = offset + len(line)
        if (not line.strip() or separator == "\r") and start is not None:
            spans.append((start, end))
            start = None
        offset += len(line) + len(separator)
        if not separator:
            break
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
        previous: tuple[str, list[Claim]] = ("", [])
        for s_start, s_end in split_sentences(para):
            if _overlong(para[s_start:s_end]):
                continue  # not prose, and the rules below cost time by its length squared: check_markdown says so
            sentence = para[s_start:s_end]
            raw_sentence = raw[s_start:s_end]
            spans = [(m.start(), m.end(), raw_sentence[m.start()] not in "[(")
                     for r in (_CITATION_RE, _CITE_BRACKETS_RE, _NUMERIC_CITATION_RE) for m in r.finditer(raw_sentence)]
            cited = bool(spans)
            inherit = bool(_ANAPHOR_RE.search(sentence)) and (previous_cited or _uncounted_set(*previous, lexicon))
            base = p_start + s_start
            notes = [(a - base, b - base, name) for a, b, name in annotations if base <= a and b <= base + len(sentence)]
            claims = find_claims(sentence, lexicon, cited=inherit, annotations=notes, citations=spans)
            if not (inherit or notes or spans):
                claims = _theme_of_pronoun(sentence, _with_whole_before(sentence, claims, previous, lexicon),
                                           previous[0], lexicon)
            found += [Found(claim, base + claim.start) for claim in claims]
            previous_cited, previous = cited or inherit, (sentence, claims)
    return found


def _with_whole_before(sentence: str, claims: list[Claim], previous: tuple[str, list[Claim]],
                       lexicon: Lexicon) -> list[Claim]:
    """"Fourteen reports came from other sources. Of these, two could not be retrieved and four were
    excluded": a sentence opening *Of these* / *Among them* takes its whole from the count of the sentence
    before, so it is read as one sentence with it ("…; of these, …"), as a part and its whole in one
    sentence are read (the other sources' boxes; a cross-tabulation after a theme's count: none)."""
    before, before_claims = previous
    if not before_claims or not _ANAPHOR_RE.search(sentence) or not re.search(r"[.!?]\s*$", before):
        return claims
    lead = re.sub(r"[.!?]\s*$", "; ", before)
    joined = find_claims(lead + sentence[:1].lower() + sentence[1:], lexicon)
    shift = len(lead)
    out = []
    for c in joined:
        if c.start < shift:
            continue
        quote = c.quote if c.quote.split(" … ")[0] in sentence else f"{c.written} … {c.quote.split(' … ')[-1]}"
        out.append(replace(c, start=c.start - shift, end=c.end - shift, quote=quote))
    wholes = {c.count for c in before_claims}
    # (a part is never its whole's count: "…; of these, most were in nursing homes, and 3 in prisons")
    out = [c for c in out if c.count not in wholes]
    whole = wholes.pop() if len(wholes) == 1 else None
    if whole is None or not _qualified_studies(whole, lexicon):
        return out
    # "Seventeen studies assessed the accuracy of triage advice. Of these, 13 used simulated cases.": a part
    # of a qualified whole singled out by another qualifier is a cross-tabulation the data does not count
    # (in the clause *Of these* opens: "…; deliberative democracy was a keyword of 18 studies" is a new one)
    clause_end = sentence.find(";") % (len(sentence) + 1)
    return [c for c in out if c.count == whole or not _qualified_studies(c.count, lexicon)
            or _part_of_whole(whole, c.count, lexicon) or c.start > clause_end]


def _qualified_studies(name: str, lexicon: Lexicon) -> bool:
    """Whether a count is of the studies with one qualifier (a theme, a design, a country, a field's value),
    not of all of them, of the search's boxes or of a measure's statistic."""
    measures = {m for m, _ in lexicon.measures}
    return "." in name and not name.startswith("prisma.") and name.partition(".")[0] not in measures


def _part_of_whole(whole: str, part: str, lexicon: Lexicon) -> bool:
    """A sub-theme of its theme, a country of its group: a part the data counts."""
    if whole.startswith("theme.") and part.startswith("sub" + whole + "."):
        return True
    members = (lexicon.group_members or {}).get(whole) or ()
    return part in {f"country.{_count_slug(m)}" for m in members}


_PRONOUN_THEME_RE = re.compile(r"^\W*(?:(?:it|this (?:sub-?)?theme|the (?:sub-?)?theme)\s+(?:\w+ly\s+)?(?:comprised|included|"
                               r"contained|held|covered|spanned|drew on|was (?:supported|informed) by)|there (?:were|are))\s+$",
                               re.I)


def _theme_of_pronoun(sentence: str, claims: list[Claim], before: str, lexicon: Lexicon) -> list[Claim]:
    """"Theme (b) concerned social support-oriented services. It comprised 17 studies": a count of studies
    whose subject is *it* (or *this theme*) counts the one theme or sub-theme the sentence before names — not
    the included studies, though the verb is *included*; "Contact investigations follow … There were 19 of
    them, most from China": so does *there were N of them*, or the one design named before."""
    if not before or not re.match(r"\W*(?:it|this|the|there)\b", sentence, re.I):
        return claims  # (before tokenising every sentence again)
    tokens = _tokens(sentence)
    first = next((k for k, t in enumerate(tokens) if t.kind == "num" and t.value is not None), None)
    if first is None or not (m := _PRONOUN_THEME_RE.match(sentence[:tokens[first].start])):
        return claims
    there = m.group().strip().lower().startswith("there")
    if not (re.match(r"\s+of (?:them|these)\b", sentence[tokens[first].end:], re.I) if there
            else _noun_of(tokens, first, lexicon).category == "study"):
        return claims  # ("There were 19 of them": the studies the sentence before named)
    kinds = ("theme", "subtheme", "orientation") if there else ("theme", "subtheme")
    themes = {h.count for h in _attributes(before, 0, len(before), lexicon) if h.kind in kinds}
    if len(themes) != 1:
        return claims
    claim = _claim(sentence, tokens[first], themes.pop(), _noun_of(tokens, first, lexicon).end, None)
    return sorted(_instead(claims, claim), key=lambda c: c.start)


def _uncounted_set(sentence: str, claims: list[Claim], lexicon: Lexicon) -> bool:
    """"Ninety studies followed people for at least 14 days. Of these, 17 were contact investigations.": the
    sentence before *Of these* counted a set of studies the data does not count (a number of studies it
    states no claim for), so a part of that set is a cross-tabulation the data does not count either."""
    tokens = _tokens(sentence)
    claimed = {c.start for c in claims}
    # ("Twenty-nine studies were charted": as many as the review includes, so perhaps all of them)
    wholes = {c.value for name, c in lexicon.counts.items() if name in ("included", "prisma.total_studies")}
    return any(t.kind == "num" and t.value not in (None, *wholes) and t.start not in claimed and not _hedged(tokens, k)
               and not _excluded(tokens, k, sentence) and _noun_of(tokens, k, lexicon).category == "study"
               for k, t in enumerate(tokens))


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
    if claim.alternatives or not claim.sure:
        return _unsure_problem(claim, counts, location, prefix)
    if count.value is None:
        return None  # the data does not report it: nothing to compare
    says = f"{claim.number:,}"
    has = f"{count.value:,} {_singular(count.meaning) if count.value == 1 else count.meaning}"
    if claim.number != count.value:
        return Problem(location, "", f'{prefix}"{claim.quote}" says {says}, the data has {has} (n.{claim.count}); '
                                     f"correct the text or the data, and write {_suggestion(claim)}")
    return Problem(location, "", f'{prefix}"{claim.quote}" is typed by hand; write {_suggestion(claim)} '
                                 f"so it follows the data ({has})", severity="warning")


def _unsure_problem(claim: Claim, counts: Mapping[str, Count], location: Location, prefix: str) -> Problem | None:
    """A number whose words do not single out one count: say which it could be; suggest no placeholder."""
    options = [(name, counts[name]) for name in dict.fromkeys((claim.count, *claim.alternatives))
               if name in counts and counts[name].value is not None]
    if not options:
        return None
    listed = " or ".join(f"n.{name} ({c.value:,} {_singular(c.meaning) if c.value == 1 else c.meaning})"
                         for name, c in options)
    mark = f"[{claim.written}]{{count=none}}"
    if any(c.value == claim.number for _, c in options):
        return Problem(location, "", f'{prefix}"{claim.quote}" is typed by hand and may state {listed}; write the '
                                     "placeholder of the count it states ({{ n.NAME }}), or mark it "
                                     f"{mark} if it counts something else", severity="warning")
    return Problem(location, "", f'{prefix}"{claim.quote}" says {claim.number:,}, but the data has {listed}; if it '
                                 "states one of these counts, correct the text or the data and write that count's "
                                 f"placeholder ({{{{ n.NAME }}}}); if it counts something else, mark it {mark}")


def check_markdown(text: str, lexicon: Lexicon, path: str, first_line: int = 1) -> list[Problem]:
    """Check every number typed in a Markdown text against the counts; each finding at its line and column."""
    problems = []
    for found in claims_in_text(text, lexicon):
        line = first_line + text.count("\n", 0, found.offset)
        column = found.offset - (text.rfind("\n", 0, found.offset) + 1) + 1
        problem = claim_problem(found.claim, lexicon.counts, Location(path, line, column))
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
    """Check every number in numbered plain-text paragraphs (of a DOCX).

    Places are "label: paragraph N, character C": a DOCX has no source lines, and Word's and
    LibreOffice's line numbers depend on the page layout; the paragraph (counted as pandoc reads
    the file, table cells excluded) and the character within it point at the same words anywhere.
    """
    problems = []
    for number, para in paras:
        for found in claims_in_text(para.replace("\n", " "), lexicon):
            column = len(ANNOTATION_RE.sub(lambda m: m.group("body"), para[:found.offset])) + 1  # as the reader sees it
            problem = claim_problem(found.claim, lexicon.counts, Location(label),
                                    f"paragraph {number}, character {column}: ")
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


# ------------------------------------------------------------------ batches 32-35's rules

# "(33 vs 17)", "16 studies against 13", "(24 against 12)", "(9 and 5)": two counts set side by side
_SIDE_BY_SIDE_RE = re.compile(r"\s*(?:(?:stud(?:y|ies)|trials|papers|reports)\s+)?(?:vs\.?|versus|against|(?P<and>and))\s*$",
                              re.I)
# a comparison before them: "outnumbered", "more … than", "twice as often as", "larger than"
_COMPARED_RE = re.compile(r"\b(?:than|outnumber(?:ed|s)?|as\s+(?:[\w-]+\s+){0,3}?as)\b|\bas\b.*\bas\b", re.I)
_BETWEEN_NAMES_RE = re.compile(r"\b(?:than|as|outnumber(?:ed|s)?)\b", re.I)


def _compared_pair(sentence: str, tokens: list[_Token], numbers: list[int], claims: list[Claim],
                   lexicon: Lexicon) -> list[Claim]:
    """"Outbreak investigations outnumbered contact investigations almost two to one (33 vs 17)", "Theme (b)
    was larger than theme (a), with 16 studies against 13": two counts set side by side (*vs*, *against*, or
    *and* inside one bracket) after a comparison of two names of one kind (two themes, two designs, two values
    of one field, two countries) count those names in the order the sentence names them."""
    if not _COMPARED_RE.search(sentence):
        return claims
    out = list(claims)
    counted = [k for k, t in enumerate(tokens) if t.kind == "num" and t.value is not None]
    for i, j in zip(counted, counted[1:]):
        a, b = tokens[i], tokens[j]
        if i not in numbers or _hedged(tokens, i):
            continue  # (the second may look like an enumeration's last item: "(9 and 5)")
        side = _SIDE_BY_SIDE_RE.match(sentence[a.end:b.start])
        if side is None:
            continue
        bracketed = sentence[:a.start].rstrip().endswith("(") and sentence[b.end:].lstrip()[:1] == ")"
        if side.group("and") and not bracketed:
            continue  # "twelve studies and 13 …" is a list, not a comparison
        if not _COMPARED_RE.search(sentence[:a.start]):
            continue
        hits = _strong_over_weak(_outermost(_attributes(sentence, 0, a.start, lexicon)))
        first: dict[str, int] = {}
        for h in sorted(hits, key=lambda h: h.position):
            if "." in h.count and h.kind not in _STEP_KINDS:
                first.setdefault(h.count, h.position)
        families: dict[str, list[str]] = {}
        for count in sorted(first, key=first.get):
            families.setdefault(count.rpartition(".")[0], []).append(count)
        pairs = [names for names in families.values() if len(names) == 2]
        # the two names stand on either side of the comparison word
        pairs = [p for p in pairs if _BETWEEN_NAMES_RE.search(sentence[first[p[0]]:first[p[1]]])]
        if len(pairs) != 1:
            continue
        one, other = pairs[0]
        hit_of = {h.count: h for h in hits}
        for token, name in ((a, one), (b, other)):
            out = _instead(out, _claim(sentence, token, name, token.end, hit_of[name]))
    return out


# "how many people they followed", "the number of people followed": the people a study did something to
_PEOPLE_OF_A_STUDY_RE = re.compile(r"\b(?:how many|the number of)\s+(?:people|persons|individuals)\s+"
                                   r"(?:(?:they|it|were|was|had been)\s+)?(?:[a-z]+ed|taken|seen|drawn)\b", re.I)


def _people_left_unsaid(sentence: str, tokens: list[_Token], numbers: list[int], claims: list[Claim],
                        lexicon: Lexicon) -> list[Claim]:
    """"Four studies did not report how many people they followed", "All but six studies reported how many
    people were followed", "All but 4 of the 134 studies reported the number of people followed": a count of
    studies that left unsaid (or, after *all but*, whose others said) how many people they enrolled, followed,
    screened or surveyed — whatever the verb — counts the studies not reporting the participants (the measure a
    study's size stands for)."""
    if not lexicon.measures or not _PEOPLE_OF_A_STUDY_RE.search(sentence):
        return claims
    measure = _sample_measure(lexicon)
    name = f"{measure}.not_reported"
    if name not in lexicon.counts:
        return claims
    out = list(claims)
    for idx, i in enumerate(numbers):
        token = tokens[i]
        if token.kind != "num" or token.value is None or _hedged(tokens, i):
            continue
        if _noun_of(tokens, i, lexicon).category not in ("study", "implicit", "of"):
            continue  # ("of": a part of a whole, "All but 4 of the 134 studies")
        later = numbers[idx + 1:]
        if later and re.fullmatch(r"\s+of\s+(?:the|these|all)\s+", sentence[token.end:tokens[later[0]].start], re.I):
            later = later[1:]  # "All but 4 of the 134 studies reported …": the whole is no new item
        stop = tokens[later[0]].start if later else len(sentence)
        people = _PEOPLE_OF_A_STUDY_RE.search(sentence, token.end, stop)
        if people is None or re.search(r"[;:]", sentence[token.end:people.start()]):
            continue
        between = sentence[token.end:people.start()]
        left_out = _left_out(sentence, token.start)
        if not (_UNSAID_RE.search(between) or left_out and _SAID_RE.search(between)):
            continue
        rest = re.split(r"[,;.]", sentence[people.start():stop])[0]
        said = {_verb_root(w) for w in _norm(rest).split()}
        if any(words & said for field, words in _unreported_words(lexicon).items() if field != name):
            continue  # "how many people remained asymptomatic": another measure's words say which people
        out = _instead(out, _claim(sentence, token, name, token.end, None))
    return out


# "The shortest lead time in any study was 1 hour and the longest 96 hours"
_SUPERLATIVE_IN_ANY_RE = re.compile(
    r"\b(?:the\s+)?(?P<most>shortest|smallest|lowest|fewest|longest|largest|highest|most|greatest)\s+"
    r"(?P<what>(?:[\w-]+\s+){1,3}?)(?:in|of|reported by|reported in|recorded in|seen in)\s+any\s+(?:one\s+|single\s+)?"
    r"(?:study|trial|paper)\s+(?:was|were|is|came to)\s+(?P<n>[\d,]+|[a-z-]+)\b"
    r"(?:\s+[\w-]+)?(?:,?\s+and\s+the\s+(?P<other>shortest|smallest|lowest|fewest|longest|largest|highest|most|greatest)"
    r"\s+(?P<n2>[\d,]+|[a-z-]+)\b)?", re.I)
_LEAST_WORDS = ("shortest", "smallest", "lowest", "fewest")


def _extreme_in_any_study(sentence: str, tokens: list[_Token], numbers: list[int], claims: list[Claim],
                          lexicon: Lexicon) -> list[Claim]:
    """"The shortest lead time in any study was 1 hour and the longest 96 hours", "The most asymptomatic people
    reported by any one study was 2,914": a superlative before the words of one measure the review counts (its
    label's words in any order) and *in any study* gives that measure's smallest or largest value, and a gapped
    *and the longest N* the other."""
    if " any " not in sentence or not lexicon.measures:
        return claims
    m = _SUPERLATIVE_IN_ANY_RE.search(sentence)
    if m is None:
        return claims
    said = {_verb_root(w) for w in _norm(m.group("what")).split()}
    measures = [name for name, units in lexicon.measures
                if any(said <= {_verb_root(w) for w in _norm(unit).split()} for unit in units)]
    if len(measures) != 1:
        return claims
    out = list(claims)
    for word, group in (("most", "n"), ("other", "n2")):
        if m.group(group) is None:
            continue
        stat = "min" if m.group(word if word == "other" else "most").lower() in _LEAST_WORDS else "max"
        name = f"{measures[0]}.{stat}"
        token = next((t for t in tokens if t.start == m.start(group) and t.kind == "num" and t.value is not None), None)
        if token is None or name not in lexicon.counts:
            continue
        out = _instead(out, _claim(sentence, token, name, token.end, None))
    return out


# ------------------------------------------------------------------ batches 36-39's rules

# "twice as many quantitative as qualitative studies (13 vs 6)", "more than twice as often as saw-scaled viper
# bites (31 vs 14 studies)": a comparison of two named sets, their counts side by side in brackets, in order
_COMPARED_PAIR_RE = re.compile(r"\(\s*(?P<a>\d[\d,]*)\s+(?:vs\.?|versus|against|to)\s+(?P<b>\d[\d,]*)"
                               r"(?:\s+(?:studies|trials|papers|reviews|reports))?\s*\)", re.I)
_COMPARISON_RE = re.compile(r"\b(?:twice|thrice|half|(?:two|three|four|five|\d+)\s+times|more|fewer|less)\b"
                            r"(?:\s+than\s+twice)?(?:\s+as)?\s+(?:many|much|often|common|frequent(?:ly)?|likely|"
                            r"studies|[\w-]+\s+(?:studies|than))\b", re.I)


def _compared_in_brackets(sentence: str, tokens: list[_Token], claims: list[Claim], lexicon: Lexicon,
                          cited_parts: Iterable[tuple[int, int]]) -> list[Claim]:
    """"The USA contributed twice as many studies as Norway (10 vs 4)": the bracketed counts of a comparison
    are, in order, the counts of the two things compared — the one named before its last *as* / *than* and
    the one named after it — when both are values of one family (two countries, two designs, two values of
    a field); the words that compare ("twice as many") say nothing of either count."""
    pair = _COMPARED_PAIR_RE.search(sentence)
    if pair is None or any(a <= pair.start() < b for a, b in cited_parts):
        return claims
    lead = sentence[:pair.start()]
    comparison = _COMPARISON_RE.search(lead)
    pivots = [m for m in re.finditer(r"\b(?:as|than)\b", lead, re.I)] if comparison else []
    pivots = [m for m in pivots if m.start() > comparison.start()
              and not re.match(r"\s+(?:many|much|often|common|frequent|likely|twice)\b", lead[m.end():], re.I)]
    if not pivots:
        return claims
    pivot = pivots[-1]
    first = [h for h in _strong_over_weak([h for h in _attributes(sentence, 0, pivot.start(), lexicon)
                                           if h.kind in _LIST_KINDS])]
    second = [h for h in _strong_over_weak([h for h in _attributes(sentence, pivot.end(), pair.start(), lexicon)
                                            if h.kind in _LIST_KINDS])]
    if not first or not second:
        return claims
    x = max(first, key=lambda h: (h.end, h.end - h.position))
    y = min(second, key=lambda h: (h.position, -(h.end - h.position)))
    if x.count == y.count or x.count.rpartition(".")[0] != y.count.rpartition(".")[0]:
        return claims
    out = list(claims)
    for group, hit in (("a", x), ("b", y)):
        token = next((t for t in tokens if t.start == pair.start(group) and t.kind == "num"), None)
        if token is not None and token.value is not None and hit.count in lexicon.counts:
            out = _instead(out, _claim(sentence, token, hit.count, token.end, hit))
    return out


# a two-cell count row with its share as a bare decimal ("| Quantitative | 13 | 44.8 |") or in brackets in the
# count's own cell ("| Fixed wireless | 9 (17%) |")
_DECIMAL_SHARE_ROW_RE = re.compile(r"(\|\s*[^|\d][^|]*\|\s*\d[\d,]*\s*\|\s*)(\d{1,3}\.\d{1,2})(\s*\|?\s*)")
_BRACKETED_SHARE_ROW_RE = re.compile(r"(\|\s*[^|\d][^|]*\|\s*\d[\d,]*)(\s)(\(\s*\d{1,3}(?:\.\d+)?\s*%\s*\)\s*\|?\s*)")


def _shares_in_count_rows(read_as: str) -> str:
    """A share written without its sign after a row's count, "| Tertiary hospital | 28 | 43.8 |" (a decimal of
    at most 100: a share, not a count), reads as "| 28 | 43.8% |"; a share in brackets in the count's own cell,
    "| 9 (17%) |", as a cell of its own, "| 9|(17%) |". The label and the count keep their places (see
    _share_cells_marked), so the row is read as the two-cell row "Label 28"."""
    row = _DECIMAL_SHARE_ROW_RE.fullmatch(read_as)
    if row and float(row.group(2)) <= 100:
        return row.group(1) + row.group(2) + "%" + row.group(3)
    row = _BRACKETED_SHARE_ROW_RE.fullmatch(read_as)
    if row:
        return row.group(1) + "|" + row.group(3)
    return read_as


# "gave no number of towns", "did not identify the species", "reported no sample size": what studies left unsaid,
# in verbs _UNSAID_RE does not hold; after an exception, "all named at least one species" says the others said it
_UNSAID_OTHER_RE = re.compile(r"\b(?:gave|give|gives|provided|reported|stated|recorded)\s+no\b|"
                              r"\b(?:did not|didn't|does not|do not|failed to)\s+(?:identify|name|list|document|count|"
                              r"specify|note)\b", re.I)
_SAID_OTHER_RE = re.compile(r"\b(?:named|identified|listed|documented|counted|gave)\b", re.I)


def _unsaid_in_other_verbs(sentence: str, tokens: list[_Token], numbers: list[int], claims: list[Claim],
                           lexicon: Lexicon) -> list[Claim]:
    """"Fifteen studies gave no number of towns", "Eleven studies did not identify the species", "With the
    exception of 12 studies, all named at least one species": a count of studies whose clause (past an aside
    between commas: "Thirteen studies, mostly econometric analyses, gave no …") says they left unsaid, in these
    verbs, something that names one field the review counts as unreported (by its label's own words, as
    _unreported_by_label_words reads them) counts that field's not_reported."""
    fields, counted = _unsaid_candidates(sentence, tokens, numbers, lexicon, _UNSAID_OTHER_RE, _SAID_OTHER_RE)
    out = list(claims)
    for idx in counted:
        i = numbers[idx]
        token = tokens[i]
        stop = min([p for p in (sentence.find(c, token.end) for c in ";.") if p >= 0] +
                   [tokens[numbers[idx + 1]].start if idx + 1 < len(numbers) else len(sentence)])
        clause = sentence[token.start:stop]
        # "With the exception of 12 studies, all named at least one species": the others' clause runs on past a
        # bounded number of their own
        excepted = _left_out(sentence, token.start) and all(_hedged(tokens, j) for j in numbers[idx + 1:])
        if excepted:
            end = [p for p in (sentence.find(c, token.end) for c in ";.") if p >= 0]
            clause = sentence[token.start:min(end) if end else len(sentence)]
        unsaid = _UNSAID_OTHER_RE.search(clause)
        if unsaid and not excepted:
            # the verb is the count's own: at most an aside between commas, or a few words, stands between
            between = clause[:unsaid.start()]
            if not re.fullmatch(r"\S+(?:\s+\S+){0,2}\s*(?:,[^,;]*,\s*)?", between):
                continue
        elif not (excepted and _SAID_OTHER_RE.search(clause)):
            continue
        said = {_verb_root(w) for w in _norm(clause).split()}
        named = [n for n, w in fields.items() if w & said]
        if len(named) == 1 and not any(c.start == token.start and c.count.startswith("prisma.") for c in out):
            out = _instead(out, _claim(sentence, token, named[0], token.end, None))
    return out


def _possessed_whole(sentence: str, tokens: list[_Token], claims: list[Claim], lexicon: Lexicon,
                     cited_parts: Iterable[tuple[int, int]]) -> list[Claim]:
    """"Of its 22 studies, ten dealt with availability and twelve with dosing", "Its 12 reviews split into
    attrition (9) and guidance (3)", "Of its 45 studies, 37 came from the USA": a whole owned by something an
    earlier sentence named (*its*), whose parts in this sentence are all sub-themes of one theme or
    countries of one group, counts that theme or group — the one count that holds every part."""
    out = list(claims)
    for k, token in enumerate(tokens):
        if token.kind != "num" or token.value is None or k == 0 or tokens[k - 1].text.lower() != "its" \
                or k + 1 >= len(tokens) or _NOUNS.get(_stem(tokens[k + 1].text)) != "study" or \
                any(a <= token.start < b for a, b in cited_parts):
            continue
        parts = [c for c in out if c.start > token.end]
        if not parts:
            continue
        groups = {country: group for _, country, group in lexicon.countries if group}
        groups.update({f"country.{_count_slug(member)}": group for group, members in (lexicon.group_members or {}).items()
                       for member in members})
        owners = {f"theme.{c.count.split('.')[1]}" if c.count.startswith("subtheme.") else
                  groups.get(c.count, "") if c.count.startswith("country.") else "" for c in parts}
        if len(owners) != 1:
            continue
        owner = owners.pop()
        if owner in lexicon.counts:
            out = _instead(out, _claim(sentence, token, owner, tokens[k + 1].end, None))
    return out
