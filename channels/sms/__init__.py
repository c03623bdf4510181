"""The SMS channel (Twilio): signed webhooks in, the Messages API out, segment-aware."""
