"""A HiGHS instance that prints nothing unless asked: the award optimiser and the least core both solve with it."""

from __future__ import annotations

import functools


@functools.cache
def _quiet_highs_class() -> type:
    import highspy

    class QuietHighs(highspy.Highs):  # type: ignore[misc]
        """highspy's constructor calls ``enableCallbacks``, a HiGHS method, which writes HiGHS's banner to
        standard output before any option can be set (and so into ``--format json`` output). Logging is
        switched off first; ``new_highs`` switches it back on when asked."""

        def enableCallbacks(self) -> object:
            self.setOptionValue("output_flag", False)
            return super().enableCallbacks()

    return QuietHighs


def new_highs(*, log: bool = False):  # type: ignore[no-untyped-def]  # -> highspy.Highs (imported lazily)
    """A HiGHS instance that writes nothing unless ``log``."""
    h = _quiet_highs_class()()
    h.setOptionValue("output_flag", bool(log))
    return h
