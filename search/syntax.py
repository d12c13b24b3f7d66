"""The staff search box's little language, parsed once and answered by both engines.

Plain words are all required. Power users may write:

- ``"a phrase"``  the words together, in this order;
- ``-word``       without this word (``-"a phrase"`` too);
- ``a OR b``      either (also ``a | b``); binds tighter than the implicit AND;
- ``word*``       words starting with it (Latin script).

Chinese text is matched as a phrase where the index's analyzer splits Chinese into single
characters (``standard``): 电梯 must match the two characters side by side. Where the index
segments words, unquoted Chinese matches when all its words occur (``search.queries``).
A query that is exactly a tracking number finds that complaint. Nothing here can fail: an
unbalanced quote runs to the end of the query, and stray operators are taken as words.
"""

import re
from dataclasses import dataclass

TRACKING_NUMBER = re.compile(r"^WY\d{8}[0-9A-Z]{6}$")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
MAX_TERMS = 12


@dataclass(frozen=True)
class Term:
    """One word or phrase as the user wrote it."""

    text: str
    phrase: bool = False  # quoted, or Chinese: the words side by side
    prefix: bool = False  # ended in *: words starting with it
    quoted: bool = False  # the user asked for the phrase (Chinese alone does not)


@dataclass(frozen=True)
class Clause:
    """Alternatives of which one must match (or, when ``negated``, none may)."""

    alternatives: tuple[Term, ...]
    negated: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    clauses: tuple[Clause, ...] = ()
    tracking_number: str = ""

    @property
    def empty(self) -> bool:
        return not self.clauses and not self.tracking_number

    @property
    def words(self) -> list[str]:
        """The words to highlight: every term not excluded."""
        return [t.text for c in self.clauses if not c.negated for t in c.alternatives]


def _term(text: str, quoted: bool) -> Term | None:
    prefix = not quoted and text.endswith("*") and len(text.rstrip("*")) >= 2
    text = text.rstrip("*") if prefix else text
    text = " ".join(text.split())
    if not text:
        return None
    return Term(text=text, phrase=quoted or bool(CJK.search(text)), prefix=prefix, quoted=quoted)


def parse(query: str) -> ParsedQuery:
    """The query as clauses (at most ``MAX_TERMS``, the rest is ignored)."""
    query = " ".join(query.split())[:200]
    if TRACKING_NUMBER.match(query.upper()):
        return ParsedQuery(tracking_number=query.upper())
    clauses: list[Clause] = []
    join_next = False
    for match in TOKEN.finditer(query):
        negated_phrase, phrase, word = match.groups()
        if word in ("OR", "|"):
            join_next = bool(clauses) and not clauses[-1].negated
            continue
        negated = bool(negated_phrase)
        if word is not None:
            negated = word.startswith("-") and len(word) > 1
            word = word[1:] if negated else word
        term = _term(phrase if word is None else word, quoted=word is None)
        if term is None:
            continue
        if join_next and not negated:
            last = clauses.pop()
            clauses.append(Clause(alternatives=(*last.alternatives, term)))
        else:
            clauses.append(Clause(alternatives=(term,), negated=negated))
        join_next = False
        if sum(len(c.alternatives) for c in clauses) >= MAX_TERMS:
            break
    return ParsedQuery(clauses=tuple(clauses))
