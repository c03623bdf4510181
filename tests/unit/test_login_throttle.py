"""The console's count of wrong tokens: per address, in a moving window."""

from limits import parse

from bot.admin.throttle import LoginThrottle


async def test_an_address_waits_after_its_wrong_tokens_and_others_do_not():
    throttle = LoginThrottle(parse("2/minute"))

    assert await throttle.wait_seconds("10.0.0.1") == 0
    await throttle.failed("10.0.0.1")
    assert await throttle.wait_seconds("10.0.0.1") == 0
    await throttle.failed("10.0.0.1")

    assert 0 < await throttle.wait_seconds("10.0.0.1") <= 60
    assert await throttle.wait_seconds("10.0.0.2") == 0
