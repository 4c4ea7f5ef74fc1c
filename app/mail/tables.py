"""HTML tables of a message as rows of cell texts (nested layout tables kept apart)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

MAX_TABLES = 100
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all", re.I)
_VOID = {"br", "img", "hr", "meta", "link", "input", "col", "wbr", "area", "base", "source"}


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._stack: list[list[list[str]]] = []  # open tables: their rows
        self._cell: list[list[str] | None] = []  # per open table: the open cell's chunks
        self._hidden_depth = 0
        self._depth = 0
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self._skip += 1
        if tag not in _VOID:
            self._depth += 1
            style = " ".join(v or "" for k, v in attrs if k in ("style", "hidden", "class"))
            if self._hidden_depth == 0 and (_HIDDEN.search(style) or any(
                    k == "hidden" for k, _ in attrs)):
                self._hidden_depth = self._depth
        if tag == "table":
            self._stack.append([])
            self._cell.append(None)
        elif tag == "tr" and self._stack:
            self._stack[-1].append([])
            self._cell[-1] = None
        elif tag in ("td", "th") and self._stack:
            if not self._stack[-1]:
                self._stack[-1].append([])
            self._close_cell()
            self._cell[-1] = []
        elif tag == "br" and self._cell and self._cell[-1] is not None:
            self._cell[-1].append(" ")

    def _close_cell(self) -> None:
        if self._cell and self._cell[-1] is not None and self._stack and self._stack[-1]:
            text = re.sub(r"\s+", " ", "".join(self._cell[-1]).replace("\xa0", " ")).strip()
            self._stack[-1][-1].append(text)
        if self._cell:
            self._cell[-1] = None

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head") and self._skip:
            self._skip -= 1
        if tag not in _VOID:
            if self._hidden_depth and self._depth <= self._hidden_depth:
                self._hidden_depth = 0
            self._depth = max(0, self._depth - 1)
        if tag in ("td", "th"):
            self._close_cell()
        elif tag == "table" and self._stack:
            self._close_cell()
            rows = self._stack.pop()
            self._cell.pop()
            if len(self.tables) < MAX_TABLES:
                self.tables.append([r for r in rows if any(c for c in r)])

    def handle_data(self, data: str) -> None:
        if self._skip or self._hidden_depth:
            return
        if self._cell and self._cell[-1] is not None:
            self._cell[-1].append(data)


def html_tables(html: str) -> list[list[list[str]]]:
    """Every table of ``html`` (innermost first) as rows of visible cell texts."""
    parser = _Tables()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient; never let markup break a parse
        pass
    while parser._stack:  # unclosed tables still count
        parser.handle_endtag("table")
    return parser.tables
