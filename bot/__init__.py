"""The application: settings, wiring, orchestrator, HTTP app and CLI."""
