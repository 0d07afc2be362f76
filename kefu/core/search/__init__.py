"""Kefu's search: segmentation, the per-database backend, indexing and the global search box.

Start here:

* ``get_backend()`` -> :class:`~kefu.core.search.backends.SearchBackend` with ``index``,
  ``index_documents``, ``remove`` and ``search(kinds, query, limit=, filters=)``.
* ``register_indexer(kind, build=, all_ids=)`` and ``schedule(kind, ids)`` keep a kind current;
  ``index_objects(kind, ids)`` is the bulk path; ``kefu search_rebuild`` rebuilds everything.
* ``providers.register_provider`` / ``global_search``: the groups of the global search box.
* ``tokenize``: how text and queries become tokens (rjieba for Chinese, stems for English).
"""

from kefu.core.search.backends import Document, Hit, SearchBackend, get_backend
from kefu.core.search.indexing import index_objects, rebuild, register_indexer, schedule

__all__ = [
    "Document",
    "Hit",
    "SearchBackend",
    "get_backend",
    "index_objects",
    "rebuild",
    "register_indexer",
    "schedule",
]
