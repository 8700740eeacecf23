"""How prose names a country: other names, the adjective and the people ("Norway": "Norwegian", "Norwegians").

Data, not rules: the number check (``charter.checking.numbers``) reads "two studies had a
Norwegian sample" as a count of studies from Norway. A country not listed here is
still recognised by the name the study files give it, and a one-word name ending in -a or
-i by its regular adjective ("Samoan", "Fijian").
"""

from __future__ import annotations

# country as study files usually write it -> (other names, adjectives and demonyms)
COUNTRY_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "USA": (("US", "U.S.", "U.S.A.", "United States", "United States of America", "America"),
            ("American", "Americans", "US-based")),
    "UK": (("U.K.", "United Kingdom", "Britain", "Great Britain"), ("British", "UK-based")),
    "England": ((), ("English",)),
    "Scotland": ((), ("Scottish", "Scots")),
    "Wales": ((), ("Welsh",)),
    "Ireland": (("Republic of Ireland",), ("Irish",)),
    "Northern Ireland": ((), ("Northern Irish",)),
    "Canada": ((), ("Canadian", "Canadians")),
    "Australia": ((), ("Australian", "Australians")),
    "New Zealand": (("Aotearoa",), ("New Zealander", "New Zealanders")),
    "Norway": ((), ("Norwegian", "Norwegians")),
    "Sweden": ((), ("Swedish", "Swedes")),
    "Denmark": ((), ("Danish", "Danes")),
    "Finland": ((), ("Finnish", "Finns")),
    "Iceland": ((), ("Icelandic", "Icelanders")),
    "Netherlands": (("The Netherlands", "Holland"), ("Dutch",)),
    "Germany": ((), ("German", "Germans")),
    "France": ((), ("French",)),
    "Spain": ((), ("Spanish", "Spaniards")),
    "Italy": ((), ("Italian", "Italians")),
    "Portugal": ((), ("Portuguese",)),
    "Belgium": ((), ("Belgian", "Belgians")),
    "Switzerland": ((), ("Swiss",)),
    "Austria": ((), ("Austrian", "Austrians")),
    "Greece": ((), ("Greek", "Greeks")),
    "Poland": ((), ("Polish", "Poles")),
    "Czech Republic": (("Czechia",), ("Czech", "Czechs")),
    "Hungary": ((), ("Hungarian", "Hungarians")),
    "Romania": ((), ("Romanian", "Romanians")),
    "Russia": (("Russian Federation",), ("Russian", "Russians")),
    "Turkey": (("Türkiye",), ("Turkish",)),
    "Israel": ((), ("Israeli", "Israelis")),
    "Iran": ((), ("Iranian", "Iranians")),
    "Iraq": ((), ("Iraqi", "Iraqis")),
    "Lebanon": ((), ("Lebanese",)),
    "Jordan": ((), ("Jordanian", "Jordanians")),
    "Saudi Arabia": ((), ("Saudi", "Saudis")),
    "Egypt": ((), ("Egyptian", "Egyptians")),
    "Morocco": ((), ("Moroccan", "Moroccans")),
    "South Africa": ((), ("South African", "South Africans")),
    "Nigeria": ((), ("Nigerian", "Nigerians")),
    "Kenya": ((), ("Kenyan", "Kenyans")),
    "Ethiopia": ((), ("Ethiopian", "Ethiopians")),
    "Ghana": ((), ("Ghanaian", "Ghanaians")),
    "Uganda": ((), ("Ugandan", "Ugandans")),
    "Tanzania": ((), ("Tanzanian", "Tanzanians")),
    "Rwanda": ((), ("Rwandan", "Rwandans")),
    "Malawi": ((), ("Malawian", "Malawians")),
    "Zambia": ((), ("Zambian", "Zambians")),
    "Zimbabwe": ((), ("Zimbabwean", "Zimbabweans")),
    "India": ((), ("Indian", "Indians")),
    "Pakistan": ((), ("Pakistani", "Pakistanis")),
    "Bangladesh": ((), ("Bangladeshi", "Bangladeshis")),
    "Sri Lanka": ((), ("Sri Lankan", "Sri Lankans")),
    "Nepal": ((), ("Nepali", "Nepalese")),
    "China": (("PRC", "People's Republic of China", "mainland China"), ("Chinese",)),
    "Hong Kong": ((), ("Hong Kong-based",)),
    "Taiwan": ((), ("Taiwanese",)),
    "Japan": ((), ("Japanese",)),
    "South Korea": (("Korea", "Republic of Korea"), ("Korean", "South Korean", "Koreans")),
    "Singapore": ((), ("Singaporean", "Singaporeans")),
    "Malaysia": ((), ("Malaysian", "Malaysians")),
    "Thailand": ((), ("Thai",)),
    "Vietnam": (("Viet Nam",), ("Vietnamese",)),
    "Indonesia": ((), ("Indonesian", "Indonesians")),
    "Philippines": (("The Philippines",), ("Filipino", "Filipinos", "Philippine")),
    "Brazil": ((), ("Brazilian", "Brazilians")),
    "Mexico": ((), ("Mexican", "Mexicans")),
    "Argentina": ((), ("Argentine", "Argentinian", "Argentinians")),
    "Chile": ((), ("Chilean", "Chileans")),
    "Colombia": ((), ("Colombian", "Colombians")),
    "Peru": ((), ("Peruvian", "Peruvians")),
    "Syria": ((), ("Syrian", "Syrians")),
    "Afghanistan": ((), ("Afghan", "Afghans")),
    "Eritrea": ((), ("Eritrean", "Eritreans")),
    "Somalia": ((), ("Somali", "Somalis")),
    "Sudan": ((), ("Sudanese",)),
    "South Sudan": ((), ("South Sudanese",)),
    "Ukraine": ((), ("Ukrainian", "Ukrainians")),
    "Venezuela": ((), ("Venezuelan", "Venezuelans")),
    "Myanmar": (("Burma",), ("Burmese", "Rohingya")),
    # study files write "International" for work spanning several countries (reviews, multi-country studies)
    "International": (("international", "multinational", "multi-national", "multi-country", "cross-national",
                       "several countries", "many countries"), ()),
}
_BY_NAME = {name.casefold(): name for name in COUNTRY_WORDS}
_BY_NAME.update({alias.casefold(): name for name, (aliases, _) in COUNTRY_WORDS.items() for alias in aliases})


def country_words(country: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(names, adjectives) for a country as a study file writes it: "United States" -> ("USA", "US", …), (…)."""
    known = _BY_NAME.get(country.casefold())
    if known is None:
        return (country,), _regular_adjectives(country)
    aliases, adjectives = COUNTRY_WORDS[known]
    return tuple(dict.fromkeys((country, known, *aliases))), adjectives


def _regular_adjectives(country: str) -> tuple[str, ...]:
    """A country the table does not list, named in one word ending in -a or -i, takes the regular adjective
    and people: "Samoa" -> "Samoan", "Samoans"; "Fiji" -> "Fijian", "Fijians" (irregular ones belong in the
    table above)."""
    if " " in country or not country[:1].isupper() or not country.isalpha():
        return ()
    adjective = country + "n" if country.endswith("a") else country + "an" if country.endswith("i") else ""
    return (adjective, adjective + "s") if adjective else ()


# Regions whose adjective is not the name plus -n/-an ("Europe" -> "European" is regular).
_REGION_ADJECTIVES = {"middle east": "Middle Eastern", "far east": "Far Eastern", "west": "Western", "east": "Eastern",
                      "north": "Northern", "south": "Southern", "scandinavia": "Scandinavian", "nordic": "Nordic",
                      "the nordic countries": "Nordic", "sub-saharan africa": "sub-Saharan African"}


def region_adjectives(label: str) -> tuple[str, ...]:
    """"North America" -> ("North American",), "Europe" -> ("European",), "Asia" -> ("Asian",)."""
    key = label.strip().casefold()
    if key in _REGION_ADJECTIVES:
        return (_REGION_ADJECTIVES[key],)
    words = label.split()
    if not words or not words[-1][:1].isupper():
        return ()
    last = words[-1]
    if last.endswith("a"):
        adjective = last + "n"  # Asia, Africa, America, Oceania
    elif last.endswith("e"):
        adjective = last[:-1] + "ean"  # Europe
    else:
        return ()
    return (" ".join([*words[:-1], adjective]),)
