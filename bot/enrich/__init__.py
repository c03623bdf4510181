"""/enrich: research a contact (or a CSV file of them) and score the lead.

- `command`: `EnrichService` and the chat command; `target`: what to research.
- `render`: how a result reads; `batch`, `batch_csv`: a CSV file of targets.
- `routes`: ``/api/v1/enrich``. `cli`: ``bot enrich``.
"""
