"""A scheduler process for the multi-process tests and the benchmark.

    python -m tests.scheduler.proc --url postgresql://… --clock 2026-…Z [--workers 1] [--batch 10]
                                   [--delay 0.02] [--go-file PATH] [--out result.json]

Fires every due timer like ``flask scheduler run --once`` (same ``scheduler.timers.drain``), with
the app's clock set to ``--clock``; records which timers this process fired and, with
``--delay``, pauses inside each step (before the batch commits) so a test can kill it mid-batch.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import time
from datetime import datetime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--clock", default=None, help="ISO time for the app's clock (default: real time)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--go-file", default=None, help="say ready, then begin once this file exists")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()

    from app import clock, create_app
    from app.workflow import service as workflow_service
    from scheduler import timers

    logging.getLogger("spiff").setLevel(logging.WARNING)
    app = create_app({"TESTING": True, "DATABASE_URL": args.url, "SECRET_KEY": "scheduler-test-process-key",
                      "SCHEDULER_ENABLED": False})
    if args.clock:
        clock.set_source(clock.FrozenClock(datetime.fromisoformat(args.clock)))
    fired: list[int] = []
    real_fire = workflow_service.fire_claimed  # what the scheduler calls for the timers it claimed

    def fire(session, timer, instance, *, now=None):
        done = real_fire(session, timer, instance, now=now)
        if done:
            fired.append(timer.id)
        if args.delay:
            time.sleep(args.delay)
        return done

    workflow_service.fire_claimed = fire
    print(json.dumps({"pid": os.getpid(), "ready": True}), flush=True)
    if args.go_file:
        while not os.path.exists(args.go_file):
            time.sleep(0.01)
    result = timers.drain(app, workers=args.workers, batch=args.batch)
    report = {"pid": os.getpid(), "fired_ids": fired, **result.as_dict()}
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            json.dump(report, handle)
    print(json.dumps({k: v for k, v in report.items() if k != "fired_ids"}), flush=True)


if __name__ == "__main__":
    main()
