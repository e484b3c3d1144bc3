"""Monitoring: budgets, cost ledger, traces."""
