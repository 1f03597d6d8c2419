"""Periodic jobs and the admin view of timers: run records, the job registry, the API.

The runtime that triggers jobs and fires timers is the top-level ``scheduler`` package; this
domain holds what the rest of the app may import without pulling in APScheduler.
"""
