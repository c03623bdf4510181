"""Customer care's reading of messages: booking changes and what goes to a person."""
