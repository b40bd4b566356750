"""A small DOM of an HTML page for the report's tests: every element with its attributes and text."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None, collapse: bool):
        self.tag, self.attrs, self.parent, self.children, self.parts = tag, attrs, parent, [], []
        self.collapse = collapse

    def text(self) -> str:
        """The text inside, tags dropped; whitespace runs collapsed to one space if the page says so."""
        raw = "".join(p if isinstance(p, str) else p.text() for p in self.parts)
        return " ".join(raw.split()) if self.collapse else raw

    def iter(self, tag: str | None = None):
        for child in self.children:
            if tag is None or child.tag == tag:
                yield child
            yield from child.iter(tag)


class Page(HTMLParser):
    """Every element of ``text`` with its attributes and text.

    ``collapse_whitespace``: :meth:`Node.text` collapses whitespace (for comparing sentences).
    """

    def __init__(self, text: str, *, collapse_whitespace: bool = False):
        super().__init__(convert_charrefs=True)
        self.collapse = collapse_whitespace
        self.root = self.current = Node("#root", {}, None, self.collapse)
        self.elements: list[Node] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current, self.collapse)
        self.current.children.append(node)
        self.current.parts.append(node)
        self.elements.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.current = self.current.parent

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.parts.append(data)

    def by_id(self, ident: str) -> Node:
        found = [e for e in self.elements if e.attrs.get("id") == ident]
        assert len(found) == 1, f"expected one element with id {ident!r}, found {len(found)}"
        return found[0]

    def finding(self, **attrs: str) -> str:
        """The text of the one NHANES finding whose data attributes are ``attrs``."""
        items = [
            li
            for li in self.by_id("nhanes-findings").iter("li")
            if all(li.attrs.get(f"data-{k}") == v for k, v in attrs.items())
        ]
        assert len(items) == 1, f"expected one finding with {attrs}, found {len(items)}"
        return items[0].text()
