"""Settings for the whole suite."""

from hypothesis import settings

# Speed is measured by the benchmarks, not the tests: `make test` runs one worker per core, so an example slowed
# by its neighbour is not a failure. (Hypothesis's own CI profile already has no deadline.)
settings.register_profile("carepool", parent=settings.default, deadline=None)
settings.load_profile("carepool")
