"""Read-only views computed from a lifecycle's state and policy: ASYE progress, the
portfolio, the schedule ahead, re-planning."""
