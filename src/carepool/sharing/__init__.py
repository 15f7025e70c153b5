"""Savings sharing: what each member would save alone, and fair splits (proportional, Shapley, least core)."""
