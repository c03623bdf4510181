"""Settings turned into components: one place, one style (functions taking `Settings`).

- `channels`: each channel's config and adapter, or the reason it is off;
- `web_chat`: the web chat's config, adapter and mailer;
- `jobs`: the job engine (procrastinate on PostgreSQL, in-process on SQLite);
- `models`: what the model provider factory reads;
- `services`: the budget monitor, inbound limits, /compare and /enrich;
- `followups`: the lead book and the follow-up runner.

`bot.runtime` calls these to assemble a running bot; the parts themselves take
plain values and know nothing of `Settings`.
"""
