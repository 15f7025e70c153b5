"""Section 75 pooled budgets: agreements, monitoring, risk share and settlement."""
