"""The web checkout at ``/shop`` (being built)."""


def install_shop(app, merchant, *, wire_log=None, link=None) -> None:
    """Mount the checkout's pages on the merchant's app."""
