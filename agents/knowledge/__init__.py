"""Knowledge: the agent (`agent.KnowledgeAgent`) and the business's documents it answers from.

The documents are chunked (`chunking`), read into `memory.knowledge.KnowledgeStore`
(`ingest`, `service`) and searched offline with BM25 (`bm25`, `retriever`, with
`terms` and `synonyms`). `questions.asks_for_fact` tells when a message needs
them; `claims` and `amounts` check a reply against them; `extractive` answers
with their own sentences; `unknown` says when they hold no answer.

The agent class is not re-exported here: `agents.base` imports these modules,
and importing the agent from this package's start would make that a cycle.
"""
