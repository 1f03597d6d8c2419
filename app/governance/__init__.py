"""Governance processes (M.28, M.31): vendor change proposals, security incidents and drills."""
