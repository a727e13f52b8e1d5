"""A small in-memory knowledge base ranked by Okapi BM25, in pure Python.

For tests, demos and small centres; a host with its own knowledge base answers
the ``callcore_knowledge_search`` hook instead (see
``docs/knowledge/index.md``). The ranking is the classic Okapi BM25 (Robertson
and Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond", 2009)
with the non-negative IDF that Lucene uses::

    idf(t)      = ln(1 + (N - n(t) + 0.5) / (n(t) + 0.5))
    score(D, Q) = sum over the distinct terms t of Q of
                  idf(t) * f(t, D) * (k1 + 1) / (f(t, D) + k1 * (1 - b + b * |D| / avgdl))

where ``N`` is the number of articles, ``n(t)`` how many contain ``t``,
``f(t, D)`` how often ``t`` occurs in article ``D``, ``|D|`` its length in terms
and ``avgdl`` the mean length. An article's text is its title, body and tags;
terms are the lower-cased runs of letters and digits (Unicode-aware). A query
term repeated counts once, as in Lucene's ``BooleanQuery`` of ``SHOULD``
clauses over distinct terms.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

import attrs

from callcore.checks import check_count, check_list, check_number, check_text, validator
from callcore.errors import InvalidInputError

__all__ = [
    "MAX_ARTICLES",
    "MAX_SUGGESTIONS",
    "Article",
    "KnowledgeIndex",
    "KnowledgeQuery",
    "Suggestion",
    "build_index",
    "terms",
]

MAX_ARTICLES = 100_000
"""The most articles the built-in index holds."""
MAX_SUGGESTIONS = 100
"""The most suggestions one search returns."""

_TERM = re.compile(r"[^\W_]+")


def terms(text: str) -> list[str]:
    """The terms of ``text``: lower-cased runs of letters and digits, in order.

    >>> from callcore.knowledge import terms
    >>> terms("Reset your PIN-code, now!")
    ['reset', 'your', 'pin', 'code', 'now']
    """
    return _TERM.findall(text.casefold())


def _tags(value: object) -> tuple[str, ...]:
    items = check_list(value, "tags", max_length=64)
    return tuple(
        check_text(tag, f"tags[{index}]", max_length=256) for index, tag in enumerate(items)
    )


@attrs.frozen(kw_only=True)
class Article:
    """One knowledge-base article.

    Attributes:
        id: The article's id (what a ticket records as the article that helped).
        title: Its title.
        body: Its text.
        tags: Words that find it (an intent's name, a product).
        url: Where the agent opens it, or ``""``.
    """

    id: str = attrs.field(validator=validator(check_text, max_length=256))
    title: str = attrs.field(validator=validator(check_text, max_length=1_000))
    body: str = attrs.field(default="", validator=validator(check_text, allow_empty=True))
    tags: tuple[str, ...] = attrs.field(default=(), converter=_tags)
    url: str = attrs.field(default="", validator=validator(check_text, allow_empty=True))

    @property
    def text(self) -> str:
        """What is indexed: the title, the body and the tags."""
        return " ".join((self.title, self.body, *self.tags))


@attrs.frozen(kw_only=True)
class KnowledgeQuery:
    """What the agent's screen looks articles up with.

    Attributes:
        text: Free text: the ticket's subject, the bot's transcript summary.
        intent: The intent the IVR or the bot recognised, or ``""``; its words
            are searched along with ``text``.
        language: The contact's language tag, or ``""``.
        limit: The most suggestions wanted (1 to 100).
    """

    text: str = attrs.field(default="", validator=validator(check_text, allow_empty=True))
    intent: str = attrs.field(
        default="", validator=validator(check_text, allow_empty=True, max_length=256)
    )
    language: str = attrs.field(
        default="", validator=validator(check_text, allow_empty=True, max_length=35)
    )
    limit: int = attrs.field(
        default=5, validator=validator(check_count, low=1, high=MAX_SUGGESTIONS)
    )

    @property
    def terms(self) -> list[str]:
        """The query's distinct terms, in first-seen order (the intent's words first)."""
        return list(dict.fromkeys(terms(f"{self.intent} {self.text}")))


@attrs.frozen(kw_only=True)
class Suggestion:
    """An article suggested to the agent.

    Attributes:
        article_id: The article's id.
        title: Its title.
        score: How well it matches (higher is better; comparable within one search).
        url: Where to open it.
    """

    article_id: str
    title: str
    score: float
    url: str = ""


def _article_tuple(value: object) -> tuple[object, ...]:
    """The articles as a tuple (each is checked by the index); a list or tuple only."""
    return tuple(check_list(value, "articles", max_length=MAX_ARTICLES))


@attrs.frozen
class KnowledgeIndex:
    """An immutable BM25 index of articles; build a new one to change it.

    Args:
        articles: The articles (ids unique), at most :data:`MAX_ARTICLES`.
        k1: Term-frequency saturation, 0 to 10 (1.2 by default).
        b: Length normalisation, 0 to 1 (0.75 by default).

    Raises:
        InvalidInputError: an item is not an :class:`Article`, an id repeats,
            or ``k1``/``b`` out of range.
    """

    articles: tuple[Article, ...] = attrs.field(converter=_article_tuple)
    k1: float = attrs.field(default=1.2, validator=validator(check_number, low=0, high=10))
    b: float = attrs.field(default=0.75, validator=validator(check_number, low=0, high=1))
    _lengths: tuple[int, ...] = attrs.field(init=False, repr=False, eq=False)
    _postings: dict[str, list[tuple[int, int]]] = attrs.field(init=False, repr=False, eq=False)
    _average: float = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        """Check the articles and build the postings."""
        if len(self.articles) > MAX_ARTICLES:
            raise InvalidInputError(
                f"the index holds at most {MAX_ARTICLES:,} articles", field="articles"
            )
        seen: set[str] = set()
        postings: dict[str, list[tuple[int, int]]] = {}
        lengths = []
        for position, article in enumerate(self.articles):
            if not isinstance(article, Article):
                raise InvalidInputError(
                    f"articles[{position}] must be an Article", field=f"articles[{position}]"
                )
            if article.id in seen:
                raise InvalidInputError(
                    f"articles[{position}]: the id {article.id!r:.60} is used twice",
                    field=f"articles[{position}].id",
                )
            seen.add(article.id)
            counts = Counter(terms(article.text))
            lengths.append(sum(counts.values()))
            for term, count in counts.items():
                postings.setdefault(term, []).append((position, count))
        object.__setattr__(self, "_lengths", tuple(lengths))
        object.__setattr__(self, "_postings", postings)
        object.__setattr__(self, "_average", sum(lengths) / len(lengths) if lengths else 0.0)

    def idf(self, term: str) -> float:
        """The inverse document frequency of ``term`` (largest for a term in no article)."""
        count = len(self._postings.get(term, ()))
        return math.log(1 + (len(self.articles) - count + 0.5) / (count + 0.5))

    def scores(self, query: KnowledgeQuery) -> dict[str, float]:
        """Every matching article's BM25 score for ``query``, by article id.

        Raises:
            InvalidInputError: ``query`` is not a :class:`KnowledgeQuery`.
        """
        if not isinstance(query, KnowledgeQuery):
            raise InvalidInputError("query must be a KnowledgeQuery", field="query")
        totals: dict[int, float] = {}
        k1, b, average = self.k1, self.b, self._average
        for term in query.terms:
            postings = self._postings.get(term)
            if not postings:
                continue
            idf = self.idf(term)
            for position, frequency in postings:
                norm = 1 - b + b * self._lengths[position] / average
                gain = idf * frequency * (k1 + 1) / (frequency + k1 * norm)
                totals[position] = totals.get(position, 0.0) + gain
        return {self.articles[position].id: score for position, score in totals.items()}

    def search(self, query: KnowledgeQuery) -> tuple[Suggestion, ...]:
        """The best ``query.limit`` articles, best first (ties by the articles' order).

        Raises:
            InvalidInputError: ``query`` is not a :class:`KnowledgeQuery`.
        """
        scores = self.scores(query)
        order = {article.id: position for position, article in enumerate(self.articles)}
        best = sorted(scores.items(), key=lambda item: (-item[1], order[item[0]]))
        by_id = {article.id: article for article in self.articles}
        return tuple(
            Suggestion(article_id=aid, title=by_id[aid].title, score=score, url=by_id[aid].url)
            for aid, score in best[: query.limit]
        )


def build_index(articles: Iterable[Article]) -> KnowledgeIndex:
    """Build a :class:`KnowledgeIndex` with the default parameters (k1 = 1.2, b = 0.75)."""
    return KnowledgeIndex(tuple(articles))
