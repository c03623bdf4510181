"""`bot chat --customer`: the conversation a customer has by SMS, in this terminal.

Each line goes through the inbox as an SMS webhook's text does (stored, its
answer a job, customer policies, STOP/START/HELP), and the reply is printed as
the SMS that would be sent, with its segments (`channels.console_sms`).
"""

from __future__ import annotations

import click

from bot.errors import InvalidMessageError
from bot.runtime import Runtime
from channels.base import Address
from channels.console import ConsoleChannel
from channels.console_sms import DEFAULT_CUSTOMER, SimulatedSms
from memory.addresses import normalise_phone
from memory.errors import InvalidAddressError

#: How long a customer's turn may take (a slow model, a long queue) before the prompt returns.
TURN_WAIT_S = 600.0


def customer_sender(as_: Address | None) -> Address:
    """The phone the customer texts from: ``--as phone:…`` or a 555 test number."""
    if as_ is None:
        return DEFAULT_CUSTOMER
    if as_.kind != "phone":
        raise click.BadParameter(
            f"a customer on SMS is a phone number (phone:+14155550101), not {as_}",
            param_hint="--as",
        )
    try:  # Twilio gives the sender in E.164: so does this phone
        return Address("phone", normalise_phone(as_.value))
    except InvalidAddressError as exc:
        raise click.BadParameter(str(exc), param_hint="--as") from None


async def customer_turn(
    runtime: Runtime, console: ConsoleChannel, sms: SimulatedSms, line: str, sender: Address
) -> None:
    """Deliver ``line`` as an SMS from ``sender`` and wait for what the bot sends back."""
    sms.may_send = runtime.inbox.may_send
    try:
        await runtime.inbox.deliver(sms.incoming(line, sender))
    except InvalidMessageError as exc:
        console.note(f"not sent: {exc}")
        return
    # Nothing is shown until the SMS is: the reply is checked whole, then sent.
    with console.console.status("typing…"):
        await runtime.inbox.work.drain(TURN_WAIT_S)
