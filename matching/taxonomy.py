"""The expertise taxonomy: concepts, their aliases, and how tags and free text map onto them.

A taxonomy is a forest of concepts. Parent-less concepts are categories. Each concept is found
by its id, label and aliases (case- and punctuation-insensitively, as a whole tag or as a
phrase inside free text) and by its abbreviations (case-sensitively inside free text, so "RE"
and "PE" only in capitals; insensitively when they are a whole tag). An abbreviation that is
also one of its concept's aliases is unambiguous, so free text may write it in lower case too
("ehcp help", "eyfs outdoor area"), unless it has two letters or spells an everyday word
("are", "stem").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["Concept", "Taxonomy", "normalise", "tokens"]

_PUNCT = re.compile(r"[^\w\s]+", re.UNICODE)
_ARE = re.compile(r"['\u2019]re\b", re.IGNORECASE)
_ARE_FORMS = ("'re", "'RE", "'Re", "\u2019re", "\u2019RE", "\u2019Re")
_SPACE = re.compile(r"\s+")

# Lower-case spellings of abbreviations listed as aliases that are also everyday words or
# names, so they stay capitals-only in free text: "are" (ARE, age-related expectations),
# "stem sentences" (STEM), "Purple Mash" (MASH), "top-ups" (UPS).
_EVERYDAY = frozenset({
    "aces", "are", "beam", "bed", "boss", "dash", "dirt", "eric", "flo", "gems", "isa",
    "laser", "mash", "mis", "pace", "peep", "peeps", "pep", "peps", "price", "puma", "ruler",
    "scarf", "sip", "stem", "taps", "tis", "ups", "walt", "wilf",
})


def normalise(text: str) -> str:
    """Lower-case, '&' -> 'and', punctuation removed, spaces collapsed."""
    text = text.lower().replace("&", " and ")
    text = _PUNCT.sub(" ", text).replace("_", " ")
    return _SPACE.sub(" ", text).strip()


def expand_are(text: str) -> str:
    """ "We're" -> "we are" (a letter, an apostrophe, "re"); quotes such as 'red' are kept."""
    if not any(form in text for form in _ARE_FORMS):
        return text

    def are(match: re.Match[str]) -> str:
        at = match.start()
        return " are" if at and text[at - 1].isalpha() else match.group(0)

    return _ARE.sub(are, text)


def _raw_tokens(text: str) -> list[str]:
    # The same split as normalise() but keeping case, so abbreviations can be matched exactly.
    # A lone "s" is what is left of a possessive ("children's" -> "children s") or of "H&S";
    # it is dropped everywhere, in the taxonomy's phrases and in posts alike. "We're" is
    # read as "we are": split at the apostrophe, its "re" made "we're teaching" into the
    # phrase "RE teaching".
    text = expand_are(text.replace("&", " and "))
    return [t for t in _PUNCT.sub(" ", text).replace("_", " ").split() if t not in ("s", "S")]


def fold(token: str) -> str:
    """A lower-case token with a plural ending removed ("strategies" -> "strategy")."""
    # Light, predictable stemming: "fraction" meets "fractions" without a stemmer's surprises.
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def tokens(text: str) -> list[str]:
    """Folded lower-case word tokens of text ("Children's SEN plans" -> children, sen, plan)."""
    # A lone "s" is what is left of a possessive ("children's" -> "children s").
    return [fold(t) for t in normalise(text).split() if t != "s"]


def _key(text: str) -> tuple[str, ...]:
    return tuple(tokens(text))


@dataclass(frozen=True)
class Concept:
    """One node of the taxonomy."""

    id: str
    label: str
    parent: str | None
    aliases: tuple[str, ...]
    abbreviations: tuple[str, ...]


def _fail(where: str, message: str) -> ValueError:
    return ValueError(f"taxonomy: {where}: {message}")


def _str_list(value: Any, where: str, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(where, f'"{field}" must be a list of strings')
    return tuple(v.strip() for v in value if v.strip())


class Taxonomy:
    """Concepts with aliases and abbreviations, a parent tree, and tag/text look-up."""

    def __init__(self, concepts: Iterable[Concept]) -> None:
        """Build the look-up tables; use from_dict() or load() to validate input."""
        self._concepts: dict[str, Concept] = {c.id: c for c in concepts}
        self._children: dict[str, list[str]] = {cid: [] for cid in self._concepts}
        for c in self._concepts.values():
            if c.parent is not None:
                self._children[c.parent].append(c.id)
        self._ancestors = {cid: self._walk_up(cid) for cid in self._concepts}
        self._build_indexes()

    # Construction -----------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Taxonomy:
        """Validate a {"version": 1, "concepts": [...]} dict and build a Taxonomy."""
        if not isinstance(data, Mapping):
            raise _fail("top level", "expected an object with a \"concepts\" list")
        version = data.get("version", 1)
        if version != 1:
            raise _fail("version", f"unsupported version {version!r}; expected 1")
        items = data.get("concepts")
        if not isinstance(items, list):
            raise _fail("top level", '"concepts" must be a list')
        concepts: list[Concept] = []
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            where = f"concepts[{i}]"
            if not isinstance(item, Mapping):
                raise _fail(where, "expected an object")
            cid = item.get("id")
            if not isinstance(cid, str) or not cid.strip():
                raise _fail(where, 'missing "id" (a non-empty string)')
            where = f'concepts[{i}] (id "{cid}")'
            if cid in seen:
                raise _fail(where, f"duplicate id; first used by concepts[{seen[cid]}]")
            seen[cid] = i
            label = item.get("label", cid)
            if not isinstance(label, str) or not label.strip():
                raise _fail(where, '"label" must be a non-empty string')
            parent = item.get("parent")
            if parent is not None and (not isinstance(parent, str) or not parent):
                raise _fail(where, '"parent" must be a concept id or null')
            concepts.append(
                Concept(
                    id=cid,
                    label=label.strip(),
                    parent=parent,
                    aliases=_str_list(item.get("aliases"), where, "aliases"),
                    abbreviations=_str_list(item.get("abbreviations"), where, "abbreviations"),
                )
            )
        for i, c in enumerate(concepts):
            if c.parent is not None and c.parent not in seen:
                raise _fail(f'concepts[{i}] (id "{c.id}")', f'unknown parent "{c.parent}"')
        parents = {c.id: c.parent for c in concepts}
        for i, c in enumerate(concepts):
            path = [c.id]
            node = c.parent
            while node is not None:
                if node in path:
                    cycle = " -> ".join([*path[path.index(node) :], node])
                    raise _fail(f'concepts[{i}] (id "{c.id}")', f"parent cycle {cycle}")
                path.append(node)
                node = parents[node]
        return cls(concepts)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Taxonomy:
        """Read a taxonomy JSON file (default: the one shipped in matching/data)."""
        if path is None:
            text = resources.files("matching").joinpath("data/taxonomy.json").read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"taxonomy: invalid JSON: {exc}") from exc
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """The taxonomy in the from_dict() shape."""
        return {
            "version": 1,
            "concepts": [
                {
                    "id": c.id,
                    "label": c.label,
                    "parent": c.parent,
                    "aliases": list(c.aliases),
                    "abbreviations": list(c.abbreviations),
                }
                for c in self._concepts.values()
            ],
        }

    def _walk_up(self, cid: str) -> tuple[str, ...]:
        out = []
        node = self._concepts[cid].parent
        while node is not None:
            out.append(node)
            node = self._concepts[node].parent
        return tuple(out)

    def _build_indexes(self) -> None:
        # Whole tags: aliases and abbreviations first, then ids and labels overwrite them, so a
        # concept's own name wins over another concept's alias (the web app resolves the same way).
        tag_index: dict[tuple[str, ...], str] = {}
        for c in self._concepts.values():
            for text in (*c.aliases, *c.abbreviations):
                key = _key(text)
                if key:
                    tag_index.setdefault(key, c.id)
        for c in self._concepts.values():
            for text in (c.id.replace("-", " "), c.label):
                key = _key(text)
                if key:
                    tag_index[key] = c.id
        self._tag_index = tag_index
        self._tag_cache: dict[str, str | None] = {}

        # Free text: the same phrases, except that an alias also listed as an abbreviation is
        # matched only as an abbreviation ("RE" must not fire on "re-think").
        abbreviated = {normalise(a) for c in self._concepts.values() for a in c.abbreviations}
        phrases: dict[tuple[str, ...], str] = {}
        for c in self._concepts.values():
            for text in c.aliases:
                key = _key(text)
                if key and normalise(text) not in abbreviated:
                    phrases.setdefault(key, c.id)
        for c in self._concepts.values():
            for text in (c.id.replace("-", " "), c.label):
                key = _key(text)
                if key and normalise(text) not in abbreviated:
                    phrases[key] = c.id
        self._phrases = phrases

        # Abbreviations keep their case; the all-capitals spelling also counts ("SENCO"), and
        # so do the lower-case and capitalised ones of an abbreviation its concept also lists
        # as an alias, unless it has two letters ("re-think", "pe kit") or spells an everyday
        # word.
        abbrs: dict[tuple[str, ...], str] = {}
        for c in self._concepts.values():
            aliases = {normalise(a) for a in c.aliases}
            for text in c.abbreviations:
                raw = tuple(_raw_tokens(text))
                if raw:
                    abbrs.setdefault(raw, c.id)
                    abbrs.setdefault(tuple(t.upper() for t in raw), c.id)
                    low = tuple(t.lower() for t in raw)
                    if normalise(text) in aliases and sum(map(str.isalnum, text)) > 2 \
                            and not set(low) & _EVERYDAY:
                        abbrs.setdefault(low, c.id)
                        abbrs.setdefault((low[0].capitalize(), *low[1:]), c.id)
        self._abbreviations = abbrs
        # Phrase lengths by first token, longest first: most tokens start no phrase at all,
        # so the scan costs one dictionary look-up per token.
        starts: dict[str, set[int]] = {}
        for key in phrases:
            starts.setdefault(key[0], set()).add(len(key))
        abbr_starts: dict[str, set[int]] = {}
        for key in abbrs:
            abbr_starts.setdefault(key[0], set()).add(len(key))
        self._starts = {k: sorted(v, reverse=True) for k, v in starts.items()}
        self._abbr_starts = {k: sorted(v, reverse=True) for k, v in abbr_starts.items()}

    # Look-up ----------------------------------------------------------------------------

    def __contains__(self, cid: object) -> bool:
        return cid in self._concepts

    def __iter__(self) -> Iterator[str]:
        return iter(self._concepts)

    def __len__(self) -> int:
        return len(self._concepts)

    def __repr__(self) -> str:
        return f"<Taxonomy {len(self)} concepts>"

    @property
    def ids(self) -> list[str]:
        """Concept ids in file order."""
        return list(self._concepts)

    def concept(self, cid: str) -> Concept:
        """The Concept with this id (KeyError if unknown)."""
        return self._concepts[cid]

    def label(self, cid: str) -> str:
        """The concept's display label."""
        return self._concepts[cid].label

    def parent(self, cid: str) -> str | None:
        """The concept's parent id, or None for a category."""
        return self._concepts[cid].parent

    def ancestors(self, cid: str) -> list[str]:
        """Parent, grandparent, ... up to the category (nearest first)."""
        return list(self._ancestors[cid])

    def descendants(self, cid: str) -> list[str]:
        """Every concept below this one (depth first, in file order)."""
        if cid not in self._concepts:
            raise KeyError(cid)
        out: list[str] = []
        stack = list(reversed(self._children[cid]))
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(self._children[node]))
        return out

    def categories(self) -> list[str]:
        """The parent-less concepts."""
        return [c.id for c in self._concepts.values() if c.parent is None]

    def category(self, cid: str) -> str:
        """The category (root) a concept belongs to."""
        up = self._ancestors[cid]
        return up[-1] if up else cid

    def concept_for_tag(self, tag: str) -> str | None:
        """The concept a whole tag names (id, label, alias or abbreviation), else None."""
        try:
            return self._tag_cache[tag]
        except KeyError:
            pass
        if len(self._tag_cache) > 100_000:
            self._tag_cache.clear()
        cid = self._tag_cache[tag] = self._tag_index.get(_key(tag))
        return cid

    def concepts_in_text(self, text: str) -> list[str]:
        """Concepts named in free text, in order of first mention (longest phrase wins)."""
        found: list[str] = []
        for cid, _start, _end in self.find_phrases(text):
            if cid not in found:
                found.append(cid)
        return found

    def find_phrases(self, text: str) -> list[tuple[str, int, int]]:
        """(concept, first token, end token) for each phrase found in the tokens() of text."""
        raw = _raw_tokens(text)
        return self._scan(raw, [fold(t.lower()) for t in raw])

    def _scan(self, raw: list[str], low: list[str]) -> list[tuple[str, int, int]]:
        out: list[tuple[str, int, int]] = []
        starts, abbr_starts = self._starts, self._abbr_starts
        n = len(low)
        # Only tokens that can start a phrase need a look; most tokens start none.
        candidates = [i for i in range(n) if low[i] in starts or raw[i] in abbr_starts]
        end = 0
        for i in candidates:
            if i < end:
                continue  # inside a phrase already matched (longest match first)
            best: tuple[int, str] | None = None
            for length in starts.get(low[i], ()):
                if i + length <= n:
                    cid = self._phrases.get(tuple(low[i : i + length]))
                    if cid is not None:
                        best = (length, cid)
                        break
            for length in abbr_starts.get(raw[i], ()):
                if i + length <= n and (best is None or length > best[0]):
                    cid = self._abbreviations.get(tuple(raw[i : i + length]))
                    if cid is not None:
                        best = (length, cid)
                        break
            if best is not None:
                out.append((best[1], i, i + best[0]))
                end = i + best[0]
        return out
