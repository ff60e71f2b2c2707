"""The day simulator: the real service driven by a virtual clock and a seeded RNG."""
