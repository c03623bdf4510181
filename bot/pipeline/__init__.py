"""The durable answering pipeline: store and schedule, answer, send.

- `inbox`: `BotInbox`, where channel adapters hand what they receive: stored,
  then a command or an answer scheduled.
- `background`: `BackgroundWork`, jobs run in order per conversation in this process.
- `codec`: an `IncomingMessage` as the JSON stored with it, so a worker in
  another process (or after a crash) answers from the database alone.
- `jobs`: where answers are scheduled. `ProcrastinateJobs` on PostgreSQL (a
  job per message, deferred in the transaction that stores it, one lock per
  conversation, stalled-job recovery); `LocalJobs` on SQLite (in-process,
  ordered per conversation, with a start-up sweep).
- `worker`: answers one message by id, and never answers it twice.
- `outbox`: sends a stored reply and records what happened to the send.
"""
