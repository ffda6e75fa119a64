"""pytest plugin of the ats-reject testing kit (registered through the ``pytest11`` entry point)."""
