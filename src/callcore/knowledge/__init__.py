"""Knowledge-base look-up: suggested articles for the agent's screen.

A host answers the ``callcore_knowledge_search`` hook against its own
knowledge base; :class:`KnowledgeIndex` is the small built-in one (Okapi BM25,
pure Python). See ``docs/knowledge/index.md``.
"""

from callcore.knowledge._index import (
    MAX_ARTICLES,
    MAX_SUGGESTIONS,
    Article,
    KnowledgeIndex,
    KnowledgeQuery,
    Suggestion,
    build_index,
    terms,
)

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
