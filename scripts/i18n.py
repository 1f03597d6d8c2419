"""Keep the Chinese catalogue complete: extract msgids, merge them in, report what is untranslated.

    .venv/bin/python scripts/i18n.py            # update app/translations/zh and list missing
    .venv/bin/python scripts/i18n.py add FILE   # merge {"English msgid": "中文"} pairs from a JSON file
"""
from __future__ import annotations

import json
import sys
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "app/translations/zh/LC_MESSAGES/messages.po"
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def extract() -> Catalog:
    template = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT / "app", METHODS, keywords=KEYWORDS, options_map={"**/templates/**.html": {}},
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def load() -> Catalog:
    with PO.open("rb") as handle:
        return read_po(handle, locale="zh")


def save(catalog: Catalog) -> None:
    buffer = BytesIO()
    write_po(buffer, catalog, width=0, omit_header=False, sort_output=True)
    PO.write_bytes(buffer.getvalue())


def missing(catalog: Catalog, template: Catalog) -> list[str]:
    out = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, message.context)
        if found is None or not found.string or (isinstance(found.string, tuple) and not all(found.string)):
            out.append(message.id if isinstance(message.id, str) else message.id[0])
    return out


def main() -> int:
    catalog = load()
    template = extract()
    catalog.update(template, no_fuzzy_matching=True)
    if len(sys.argv) == 3 and sys.argv[1] == "add":
        pairs = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
        for msgid, text in pairs.items():
            if msgid in catalog:
                catalog[msgid].string = text
                catalog[msgid].flags.discard("fuzzy")
    catalog.obsolete.clear()
    save(catalog)
    todo = missing(catalog, template)
    for msgid in todo:
        print(f"untranslated: {msgid}")
    return 1 if todo else 0


if __name__ == "__main__":
    raise SystemExit(main())
