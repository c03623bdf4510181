"""Which channels are on: each needs its credentials; the reason a channel is off is plain."""

from __future__ import annotations

import logging

import pytest

from bot.settings import load_settings
from bot.wiring.channels import build_channels, slack_config, telegram_config, twilio_config
from channels.slack.config import SlackConfig
from channels.sms.config import TwilioConfig
from channels.telegram.config import TelegramConfig


def settings(**values: object):
    return load_settings(_env_file=None, **values)


def test_every_channel_is_off_without_credentials_and_says_why():
    plain = settings()

    assert slack_config(plain) == "SLACK_BOT_TOKEN is not set"
    assert telegram_config(plain) == "TELEGRAM_BOT_TOKEN is not set"
    assert twilio_config(plain) == (
        "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_PUBLIC_URL, "
        "TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID not set"
    )


def test_webhooks_need_their_secret_but_socket_mode_and_polling_do_not():
    assert slack_config(settings(slack_bot_token="xoxb-1")) == "SLACK_SIGNING_SECRET is not set"
    assert "Socket Mode needs SLACK_APP_TOKEN" in str(
        slack_config(settings(slack_bot_token="xoxb-1", slack_socket_mode=True))
    )
    socket = slack_config(
        settings(slack_bot_token="xoxb-1", slack_socket_mode=True, slack_app_token="xapp-1")
    )
    assert isinstance(socket, SlackConfig) and socket.socket_mode
    assert "TELEGRAM_WEBHOOK_SECRET" in str(telegram_config(settings(telegram_bot_token="1:a")))
    polling = telegram_config(settings(telegram_bot_token="1:a", telegram_polling=True))
    assert isinstance(polling, TelegramConfig) and polling.polling


def test_configs_carry_the_settings_through():
    slack = slack_config(
        settings(
            slack_bot_token="xoxb-1",
            slack_signing_secret="s",
            slack_api_base_url="http://127.0.0.1:9/api",
            slack_team_id="T0123ABC",
            slack_enterprise_id="E0123ABC",
            slack_app_id="A0123ABC",
        )
    )
    twilio = twilio_config(
        settings(
            twilio_account_sid="AC1",
            twilio_auth_token="t",
            twilio_public_url="https://bot.example.test/",
            twilio_messaging_service_sid="MG1",
            sms_help_text="Call 555-0100.",
        )
    )

    assert isinstance(slack, SlackConfig)
    assert slack.api_base_url == "http://127.0.0.1:9/api/"  # slack_sdk needs the slash
    assert (slack.team_id, slack.enterprise_id, slack.app_id) == (
        "T0123ABC",
        "E0123ABC",
        "A0123ABC",
    )
    assert isinstance(twilio, TwilioConfig)
    assert twilio.public_url == "https://bot.example.test"
    assert twilio.help_text == "Call 555-0100."
    assert twilio.from_number is None and twilio.messaging_service_sid == "MG1"


@pytest.mark.parametrize(
    "values",
    [{"slack_team_id": "E0123"}, {"slack_team_id": "t0123"}, {"slack_app_id": "T0123"}],
)
def test_a_slack_id_of_the_wrong_kind_stops_the_bot_at_start(values: dict[str, str]):
    with pytest.raises(Exception, match="Invalid setting SLACK_"):
        settings(**values)


def test_skipping_verification_is_explicit_and_warned_about(caplog: pytest.LogCaptureFixture):
    dev = settings(telegram_bot_token="1:a", dev_skip_webhook_verification=True)

    config = telegram_config(dev)
    with caplog.at_level(logging.WARNING):
        built = build_channels(dev, inbox=None, skip={"telegram"})  # type: ignore[arg-type]

    assert isinstance(config, TelegramConfig) and config.verify_requests is False
    assert "WITHOUT checking signatures" in caplog.text
    assert set(built.off) == {"slack", "sms", "web"}
