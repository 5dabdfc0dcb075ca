#!/usr/bin/env python3
"""Writes assets/icons.svg: the lucide icons Yijia uses, as one sprite of <symbol>s.

Usage: npm pack lucide-static@VERSION && tar xzf lucide-static-*.tgz
       python3 crates/web/icons.py package/icons > crates/web/assets/icons.svg
Add a name to ICONS to use a new icon (`{% call ui::icon("name") %}` in a template).
"""
import re
import sys
from pathlib import Path

ICONS = """
house megaphone message-square bell heart handshake users landmark clipboard-list chart-column
settings shield-check file-text phone map-pin clock circle-alert circle-check inbox search plus
menu calendar user building-2 hand-helping book-open log-out languages list-todo gift vote
network scroll-text star camera chevron-right triangle-alert info x download map layers locate-fixed
chart-line trophy undo-2 trash-2
""".split()


def symbol(folder: Path, name: str) -> str:
    svg = (folder / f"{name}.svg").read_text(encoding="utf-8")
    body = svg.split(">", 2)[2] if svg.startswith("<!--") else svg.split(">", 1)[1]
    body = body.rsplit("</svg>", 1)[0]
    body = re.sub(r"\s*\n\s*", "", body)
    return f'<symbol id="{name}" viewBox="0 0 24 24">{body}</symbol>'


def main() -> None:
    folder = Path(sys.argv[1])
    version = re.search(r"lucide-static v([\d.]+)", (folder / "house.svg").read_text()).group(1)
    print(f"<!-- lucide-static v{version}, ISC licence; made by crates/web/icons.py -->")
    print('<svg xmlns="http://www.w3.org/2000/svg">')
    for name in ICONS:
        print(symbol(folder, name))
    print("</svg>")


main()
