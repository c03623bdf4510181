"""``LOG_FORMAT=json``: every line parses, holds the message's ids, and is masked as text is."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from urllib.parse import urlencode

import pytest

from agents.privacy.log_masking import install_log_masking
from bot.log_setup import log_config
from channels.sms.testing import inbound_form
from memory.db import Database
from tests.support.all_channels import running_all_channels

PHONE = "+15557654321"


@pytest.mark.parametrize("database", ["sqlite", "postgresql"], indirect=True)
async def test_json_lines_parse_and_hold_the_ids(database: Database) -> None:
    config = log_config("INFO", "json")
    formatter = logging.config.DictConfigurator(config).configure_custom(
        dict(config["formatters"]["bot"])
    )
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.addHandler(handler)
    install_log_masking()
    old_level = root.level
    root.setLevel(logging.INFO)
    try:
        async with running_all_channels(database) as bot:
            form = inbound_form(f"call me back on {PHONE}", sender=PHONE)
            headers = bot.signer.headers("/sms/inbound", form)
            headers["content-type"] = "application/x-www-form-urlencoded"
            answer = await bot.http.post("/sms/inbound", content=urlencode(form), headers=headers)
            assert answer.status_code == 200
            await bot.settle()
            logging.getLogger("bot.test").info("a note about %s", PHONE)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    text = stream.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]  # every line is one object
    assert lines
    for line in lines:
        assert {"timestamp", "level", "logger", "message"} <= set(line)
    answered = [line for line in lines if line["logger"] == "bot.orchestrator"]
    assert answered, [line["message"] for line in lines]
    assert {"message_id", "conversation_id", "channel"} <= set(answered[0])
    assert answered[0]["channel"] == "sms"
    assert PHONE not in text and PHONE[2:] not in text  # masked as in text logs
