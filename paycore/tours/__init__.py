"""Guided tours: the narrated walk-throughs behind ``paycore demo`` and friends."""
