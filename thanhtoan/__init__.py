"""Fees and their payment: fee requests, payment transactions, the provider adapter, reconciliation."""
