"""Fill msgstr of a gettext catalogue from a JSON dictionary {msgid: translation}.

Used to maintain the Arabic catalogues: `python scripts/fill_po.py PO_FILE DICT.json`.
Only single-line msgids are filled; existing translations are kept unless they are empty or fuzzy."""

import json
import re
import sys


def esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def fill(po_path: str, mapping: dict[str, str]) -> int:
    lines = open(po_path, encoding="utf-8").read().split("\n")
    out, filled, i = [], 0, 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r'^msgid "(.+)"$', line)
        if m and i + 1 < len(lines) and lines[i + 1] == 'msgstr ""' and (i + 2 >= len(lines) or not lines[i + 2].startswith('"')):
            msgid = m.group(1).encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
            if msgid in mapping:
                if out and out[-1].startswith("#, fuzzy"):
                    out.pop()
                out.append(line)
                out.append(f'msgstr "{esc(mapping[msgid])}"')
                filled += 1
                i += 2
                continue
        out.append(line)
        i += 1
    open(po_path, "w", encoding="utf-8").write("\n".join(out))
    return filled


if __name__ == "__main__":
    count = fill(sys.argv[1], json.load(open(sys.argv[2], encoding="utf-8")))
    print(f"filled {count} messages")
