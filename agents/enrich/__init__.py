"""/enrich: a validated, evidence-checked lead profile from research (channel-neutral)."""
