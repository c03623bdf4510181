"""Research about a person for /enrich: Tavily web search, or only what the bot knows."""
