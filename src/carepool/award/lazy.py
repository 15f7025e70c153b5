"""Share and SME rules added lazily: solve without them, add only the ones a plan breaks.

The ``max_share`` rows and the ``min_sme_share`` row each tie every lot to the total
awarded value. On realistic tenders they rarely bind at the optimum, but carrying them
slows the solver badly: measured on the 1,000-lot benchmark, the plan found in 30 s with
them was 0.3% dearer than the best plan *without* them, which already met every rule.

A model without some of these rows is a relaxation with the same columns
(``milp.build_model(share_rows=..., sme_row=...)``), so its bound holds for the full
model and a plan of it that meets the left-out rules is a plan of the full model (and
optimal if it was optimal for the relaxation). When a plan breaks a left-out rule, the
rows it breaks are added and the model is solved again from the best plan so far.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from carepool.award.instance import Instance
from carepool.award.milp import SparseModel, build_model, with_totals

RULE_TOL = 1e-6  # relative to the total awarded value
# A rule the model leaves out is broken by any excess beyond float noise: the solver never saw it, so a plan
# over it by less than RULE_TOL is not within a tolerance but simply over (and would need many hundredths
# moved to be reported exactly). Rules the model carries are the solver's to keep within its tolerance.
LEFT_OUT_TOL = 1e-10


@dataclass
class LazyRules:
    """Which share and SME rows the solver's model carries."""

    share: np.ndarray  # mask over providers
    sme: bool

    @classmethod
    def none_yet(cls, inst: Instance) -> LazyRules:
        return cls(np.zeros(inst.n_providers, dtype=bool), False)

    def model(self, inst: Instance) -> SparseModel:
        return build_model(inst, share_rows=self.share, sme_row=self.sme)

    def left_out(self, broken: Broken) -> Broken:
        """The rules of ``broken`` the model does not carry yet (adding the others again would change nothing)."""
        return Broken(broken.share & ~self.share, broken.sme and not self.sme)

    def add(self, broken: Broken) -> None:
        self.share |= broken.share
        self.sme = self.sme or broken.sme


@dataclass
class Broken:
    share: np.ndarray  # providers over max_share
    sme: bool  # SMEs under min_sme_share

    def __bool__(self) -> bool:
        return bool(self.share.any()) or self.sme


def has_lazy_rows(full: SparseModel) -> bool:
    return "share" in full.row_blocks or "sme" in full.row_blocks


def broken_rules(inst: Instance, full: SparseModel, col: np.ndarray, *, tol: float = RULE_TOL) -> Broken:
    """The share and SME rules of the full model that the plan ``col`` breaks (``col`` may come from a model
    without the total row, whose T is not yet the plan's total)."""
    col = with_totals(inst, full, col)
    act = full.activity(col)
    scale = tol * max(1.0, abs(float(col[full.t_col]))) if full.t_col is not None else tol
    share = np.zeros(inst.n_providers, dtype=bool)
    if "share" in full.row_blocks:
        s, e = full.row_blocks["share"]
        over = act[s:e] - full.row_upper[s:e] > scale
        share[full.share_provider[over]] = True
    sme = False
    if "sme" in full.row_blocks:
        s, _ = full.row_blocks["sme"]
        sme = bool(act[s] < full.row_lower[s] - scale)
    return Broken(share, sme)
