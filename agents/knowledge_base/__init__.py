"""The knowledge base: the business's documents, chunked and searched offline with BM25.

`ingest` reads Markdown and text files into the `memory.knowledge.KnowledgeStore`;
`Retriever` searches their chunks; `asks_for_fact` tells when a message needs them.
"""

from agents.knowledge_base.ingest import KnowledgeBaseError, ingest_paths, sync_folder
from agents.knowledge_base.questions import asks_for_fact
from agents.knowledge_base.retriever import Hit, Retriever
from agents.knowledge_base.service import open_knowledge_base

__all__ = [
    "Hit",
    "KnowledgeBaseError",
    "Retriever",
    "asks_for_fact",
    "ingest_paths",
    "open_knowledge_base",
    "sync_folder",
]
