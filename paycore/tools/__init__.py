"""Tools: small commands for the chores around paycore, such as ``paycore keygen``."""
