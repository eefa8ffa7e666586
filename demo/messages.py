"""A short demo conversation on Amy's OCR portfolio: Asha, Amy and Tom about the huddle notes
Asha referred, and a word on the portfolio's own thread. Posted through the service, so the
notifications and audit entries are what real messages leave; once there, left alone."""

from __future__ import annotations

from accounts.models import User
from portfolio import services
from portfolio.models import Portfolio

HUDDLE = "Team huddle notes"


def seed_amy_messages(people: dict[str, User], portfolio: Portfolio) -> None:
    if portfolio.messages.exists():
        return
    huddle = portfolio.evidence.filter(title=HUDDLE).first()
    amy, asha, tom = people["amy"], people["asha"], people["tom"]
    if huddle is not None:
        for author, body in (
            (
                asha,
                "I referred 3.1 because the notes say the scores were reviewed but not how "
                "they were gathered. Do you still have the weekly score sheet from the huddle?",
            ),
            (
                amy,
                "Yes, it is pinned up in the staff room. I can photograph it on Monday.\n"
                "Should I cover the customers' names on it?",
            ),
            (
                asha,
                "Cover the names, keep the dates and scores readable. Then add a line to your "
                "commentary on which two actions the team set from the numbers, and resubmit.",
            ),
        ):
            services.message_post(actor=author, portfolio=portfolio, evidence=huddle, body=body)
    services.message_post(
        actor=tom,
        portfolio=portfolio,
        body="Good progress this month, Amy. Shall we go through the PDR unit at your next "
        "review? Bring the service plan.",
    )
    services.message_post(
        actor=amy, portfolio=portfolio, body="Thanks Tom, I will bring it on Thursday."
    )
