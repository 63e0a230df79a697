"""Notebook 05's figures: the payment as a sequence diagram, and the notification retry schedule."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from paycore.figures._canvas import new_figure

LANES = {"user": 0, "merchant": 2.2, "gateway": 5.3, "ledger + outbox": 7.4}
"""The lifelines, left to right, and where they stand."""

MESSAGES = (  # (from, to, label, kind); from == to draws a note; "---" starts a new part of the story
    ("user", "merchant", "3.1  POST /orders", "step"),
    ("user", "merchant", "POST /orders/{id}/pay", "step"),
    ("merchant", "merchant", "3.2  validate the order", "step"),
    ("merchant", "gateway", "3.3  POST /v1/payments: signed, card sealed", "step"),
    ("gateway", "gateway", "3.4  key id, signature, window, nonce,\nidempotency, decrypt, validate", "step"),
    ("gateway", "ledger + outbox", "debit + credit + event\nin one transaction", "step"),
    ("gateway", "merchant", "3.5  200, signed for this request", "reply"),
    ("merchant", "merchant", "3.6  verify, re-check amount, PAID once", "step"),
    ("merchant", "user", "order PAID", "reply"),
    ("---", "---", "later: the notification, from the outbox", "notify"),
    ("ledger + outbox", "gateway", "event due", "notify"),
    ("gateway", "merchant", "POST /paycore/notify: signed event", "notify"),
    ("merchant", "gateway", "200 SUCCESS (deduplicated by event id)", "notify-reply"),
    ("---", "---", "when the merchant is unsure: reconciliation", "query"),
    ("merchant", "gateway", "GET /v1/payments/{no}: signed query", "query"),
    ("gateway", "merchant", "signed payment (or 404)", "query-reply"),
)
"""What the diagram shows, top to bottom: the six steps, then the notification, then the query."""

KIND_COLOURS = {
    "step": "#1f4e79",
    "reply": "#1f4e79",
    "notify": "#b35900",
    "notify-reply": "#b35900",
    "query": "#2e7d32",
    "query-reply": "#2e7d32",
}
"""Blue for the payment itself, orange for the notification, green for the reconciliation query."""


def payment_sequence() -> Figure:
    """The payment as a sequence diagram: four lifelines (user, merchant, gateway, its database), steps
    3.1-3.6 top to bottom, then the notification from the outbox and the reconciliation query. Solid
    arrows are requests, dashed ones answers, boxed notes what a party does on its own."""
    fig = new_figure(11, 8, tight=False)
    ax = fig.add_subplot()
    y = 0.3
    for source, target, label, kind in MESSAGES:
        y += 1.5 if "\n" in label else 1
        colour = KIND_COLOURS[kind]
        if source == "---":
            ax.axhline(y - 0.3, color="#bbbbbb", linestyle=":", linewidth=1)
            ax.text(
                -0.7,
                y - 0.05,
                label,
                fontsize=9,
                color=colour,
                style="italic",
                zorder=3,
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"},
            )
        elif source == target:  # a note: right of the merchant's lifeline, left of the gateway's
            right = source != "gateway"
            ax.text(
                LANES[source] + (0.1 if right else -0.1),
                y,
                label,
                fontsize=8.5,
                va="center",
                ha="left" if right else "right",
                color=colour,
                zorder=3,
                bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": colour},
            )
        else:
            start, end = LANES[source], LANES[target]
            style = "--" if kind.endswith("reply") else "-"
            ax.annotate(
                "",
                xy=(end, y),
                xytext=(start, y),
                arrowprops={"arrowstyle": "-|>", "color": colour, "linestyle": style},
            )
            ax.text((start + end) / 2, y - 0.15, label, ha="center", va="bottom", fontsize=8.5, color=colour)
    for name, x in LANES.items():
        ax.plot([x, x], [0.3, y + 0.6], color="#999999", linewidth=1, zorder=0)
        ax.text(
            x,
            0,
            name,
            ha="center",
            va="center",
            fontsize=10,
            weight="bold",
            bbox={"boxstyle": "round,pad=0.4", "facecolor": "#eeeeee", "edgecolor": "#666666"},
        )
    ax.set_xlim(-0.8, 8.2)
    ax.set_ylim(y + 0.7, -0.6)
    ax.axis("off")
    return fig


def _short(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds / 3600:g} h"


def retry_schedule(schedule: Sequence[int], *, annotate: Sequence[int] = (2, 5, 7, 11, 12, 15)) -> Figure:
    """When each delivery attempt of a notification happens, in hours after the payment, given the waits
    (seconds) between attempts; the attempts in ``annotate`` are labelled with the wait before them."""
    elapsed = [0]
    for wait in schedule:
        elapsed.append(elapsed[-1] + wait)
    attempts = range(1, len(elapsed) + 1)
    fig = new_figure(9, 3.2)
    ax = fig.add_subplot()
    ax.plot(attempts, [seconds / 3600 for seconds in elapsed], marker="o", color=KIND_COLOURS["notify"])
    for attempt, wait in zip(attempts[1:], schedule, strict=True):
        if attempt in annotate:
            ax.annotate(
                f"+{_short(wait)}",
                (attempt, elapsed[attempt - 1] / 3600),
                textcoords="offset points",
                xytext=(-6, 8),
                ha="right",
                fontsize=8,
            )
    ax.set_xticks(list(attempts))
    ax.set_xlabel("notification attempt")
    ax.set_ylabel("hours after the payment")
    ax.set_title(
        f"the wait grows after each failure; after attempt {len(elapsed)} the message is dead", fontsize=10
    )
    ax.grid(alpha=0.3)
    return fig
