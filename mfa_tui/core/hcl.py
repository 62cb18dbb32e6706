"""A small HCL writer (pure): quoted strings, heredocs, comments and blocks, `terraform fmt` clean.

Only what core/terraform.py needs. The rules it follows are the ones `terraform fmt` applies:
two-space indents, ``=`` aligned across a run of consecutive attributes (a multi-line value
ends the run it is in), one space before ``{``, heredoc bodies left as written.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

INDENT = "  "


def quote(text: str) -> str:
    """``text`` as an HCL quoted string: escapes, and ``${``/``%{`` kept literal.

    IAM names may hold ``+=,.@-_`` (none special in HCL); anything else a name or a
    description could carry is escaped too, so no input can break out of the string.
    """
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if ch in "$%" and nxt == "{":
            out.append(ch + ch + "{")  # `$${` is a literal `${` (HCL's template escape)
            i += 2
            continue
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
        i += 1
    return '"' + "".join(out) + '"'


def template_escape(text: str) -> str:
    """Keep ``${`` and ``%{`` literal inside a heredoc (the policy's ``${aws:username}``)."""
    return text.replace("${", "$${").replace("%{", "%%{")


def heredoc(text: str, *, marker: str = "EOT") -> list[str]:
    """An indented heredoc (``<<-EOT``) as lines: the first goes after ``=``, the rest below.

    The body lines are returned without the block's indent; :func:`render` adds it. The
    marker gets a suffix if a body line could be mistaken for it.
    """
    lines = template_escape(text).rstrip("\n").split("\n")
    while any(line.strip() == marker for line in lines):
        marker += "_"
    return [f"<<-{marker}", *(INDENT + line for line in lines), marker]


def string_list(items: Sequence[str]) -> list[str]:
    """``["a", "b"]`` on one line (short lists: policy types, a group)."""
    return ["[" + ", ".join(quote(i) for i in items) + "]"]


@dataclass(frozen=True)
class Comment:
    """``# ...`` lines, wrapped to the width."""

    text: str


@dataclass(frozen=True)
class Blank:
    """An empty line (ends an alignment run)."""


@dataclass(frozen=True)
class Attr:
    """``name = value``; ``value`` is the expression's lines (continuation lines relative)."""

    name: str
    value: tuple[str, ...]

    @classmethod
    def of(cls, name: str, value: str | Iterable[str]) -> Attr:
        """An attribute from one line or a list of lines."""
        return cls(name, (value,) if isinstance(value, str) else tuple(value))


@dataclass(frozen=True)
class Block:
    """``type "label" ... { body }``."""

    type: str
    labels: tuple[str, ...] = ()
    body: tuple[Attr | Block | Comment | Blank, ...] = field(default=())


Item = Attr | Block | Comment | Blank


def comment_lines(text: str, indent: str = "", width: int = 100) -> list[str]:
    """A comment, wrapped at ``width`` (paragraphs kept)."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        wrapped = textwrap.wrap(paragraph, width=max(20, width - len(indent) - 2),
                                break_long_words=False, break_on_hyphens=False)
        out.extend(f"{indent}# {line}".rstrip() for line in (wrapped or [""]))
    return out


def _render_body(items: Sequence[Item], indent: str) -> list[str]:
    out: list[str] = []
    run: list[Attr] = []

    def flush() -> None:
        width = max((len(a.name) for a in run), default=0)
        for a in run:
            first, *rest = a.value
            out.append(f"{indent}{a.name:<{width}} = {first}")
            out.extend(f"{indent}{line}" if line else "" for line in rest)
        run.clear()

    for item in items:
        if isinstance(item, Attr):
            run.append(item)
            if len(item.value) > 1:  # a multi-line value ends the alignment run
                flush()
            continue
        flush()
        if isinstance(item, Block):
            out.extend(render(item, indent))
        elif isinstance(item, Comment):
            out.extend(comment_lines(item.text, indent))
        else:
            out.append("")
    flush()
    return out


def render(block: Block, indent: str = "") -> list[str]:
    """The block as lines, at ``indent``."""
    head = " ".join([block.type, *(quote(label) for label in block.labels)])
    if not block.body:
        return [f"{indent}{head} {{", f"{indent}}}"]
    return [f"{indent}{head} {{", *_render_body(block.body, indent + INDENT), f"{indent}}}"]


def document(items: Iterable[Item]) -> str:
    """Top-level items as a file: blocks and comments, one blank line between blocks."""
    out: list[str] = []
    for item in items:
        if isinstance(item, Block):
            out.extend(render(item))
            out.append("")
        elif isinstance(item, Comment):
            out.extend(comment_lines(item.text))
        elif isinstance(item, Blank):
            out.append("")
        else:
            raise TypeError("top-level attributes are not used here")
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"
