"""Run every benchmark module in bench/ (each has ``main(args)``), or one: ``python -m bench --only NAME``.

Minimal runner (the inbox brief's stand-in until the shared one lands); modules run in name order.
"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path


def modules() -> list[str]:
    return sorted(p.stem for p in Path(__file__).parent.glob("*.py") if not p.stem.startswith("_"))


def main(argv: list[str]) -> int:
    args = list(argv)
    only = None
    if "--only" in args:
        index = args.index("--only")
        if index + 1 >= len(args):
            print("usage: python -m bench [--only NAME] [module args…]", file=sys.stderr)
            return 2
        only = args[index + 1]
        del args[index:index + 2]
    names = [only] if only else modules()
    unknown = [n for n in names if n not in modules()]
    if unknown:
        print(f"no benchmark {unknown[0]!r}; known: {', '.join(modules())}", file=sys.stderr)
        return 2
    for name in names:
        importlib.import_module(f"bench.{name}").main(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
