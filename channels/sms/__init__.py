"""The sms channel adapter."""
