"""The web chat feature: its channel built from the settings, and phone verification."""
