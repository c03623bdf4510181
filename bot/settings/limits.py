"""The settings that keep the bill in check: the budget, inbound limits, SMS prices.

`bot.settings.Settings` reads these with the rest.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings

#: Channels where customers write; the team's own (Slack, console, API) are never limited.
CUSTOMER_CHANNELS = "sms,telegram,web"


class LimitSettings(BaseSettings):
    """The monthly budget, per-sender inbound limits on customer channels, what an SMS costs."""

    # Cost and growth alerts.
    monthly_budget_usd: float = Field(500.0, ge=0)
    budget_hard_cap: bool = Field(False, description="Paid models refuse once it is spent.")
    customer_alert_threshold: int = Field(1000, ge=1)

    # Per-sender inbound limits: past them, messages are stored but not answered.
    inbound_burst_limit: int = Field(
        10,
        ge=0,
        description="Messages one sender may have answered within INBOUND_BURST_WINDOW_S; "
        "0 turns the burst limit off.",
    )
    inbound_burst_window_s: float = Field(
        60.0, gt=0, le=86_400, description="The burst limit's sliding window, in seconds."
    )
    inbound_daily_limit: int = Field(
        200,
        ge=0,
        description="Messages one sender may have answered per UTC day; 0 turns it off.",
    )
    inbound_limit_channels: str = Field(
        CUSTOMER_CHANNELS,
        description="Comma-separated channels whose senders are limited "
        "(team members on them, such as TEAM_TELEGRAM_IDS, are not).",
    )

    # SMS costs: every segment sent is counted beside the models' spend.
    sms_price_per_segment_usd: float = Field(
        0.0083,
        ge=0,
        description="The estimate per SMS segment until Twilio reports the real price "
        "(Twilio's US rate by default).",
    )

    def inbound_limit_channel_set(self) -> frozenset[str]:
        """INBOUND_LIMIT_CHANNELS as a set of channel names."""
        return frozenset(
            name.strip().lower() for name in self.inbound_limit_channels.split(",") if name.strip()
        )
