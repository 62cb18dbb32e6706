"""A faster read of the two IAM answers that carry thousands of items, through public API only.

On a 5,000-user account the items of ``ListUsers`` and of the ``ListVirtualMFADevices`` pages
were half of the client's CPU for a whole read, nearly all of it botocore's generic walk over
the XML tree. Here the item list is read by functions built once per shape (from the
service model's public ``Shape`` attributes, with botocore's scalar rules: empty text is "",
booleans are ``== "true"``, timestamps through the session's parser); everything else of the
answer (the paging fields, the response metadata, the HTTP status and headers) is parsed by
botocore's own parser, handed the same answer without the item list. Anything the item
readers do not expect (a member with an XML name of its own, a flattened list, a repeated tag,
a type not read here) hands the whole answer to botocore's parser.

The hook is botocore's public one: a session's ``response_parser_factory`` component, whose
``create_parser`` returns an object with botocore's parser interface, ``parse(response,
shape)``. A test checks both give the same result on moto's answers, with and without the IAM
XML namespace, and that the fast read really ran.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

from botocore.model import ListShape, Shape, StructureShape
from botocore.parsers import ResponseParserFactory

#: The output shapes read here (the big lists ``aws/inventory.py`` reads) -> their item list.
FAST_OUTPUTS = {"ListUsersResponse": "Users", "ListVirtualMFADevicesResponse": "VirtualMFADevices"}

Reader = Callable[[Any], Any]  # an XML element -> its parsed value


class NotFast(Exception):
    """Something botocore's general parser handles and the item readers do not."""


class FastListParser:
    """A response parser with botocore's interface: the item lists of ``FAST_OUTPUTS`` read
    here, everything else (and every other answer) by botocore's parser."""

    def __init__(self, botocore_parser: Any, timestamp_parser: Callable[[str], Any]) -> None:
        self.botocore_parser = botocore_parser
        self.timestamp_parser = timestamp_parser
        self.readers: dict[tuple[str, str], Reader | None] = {}  # (namespace, shape) -> reader

    def parse(self, response: dict[str, Any], shape: Shape | None) -> Any:
        """botocore's ``ResponseParser.parse``: the parsed answer of ``shape``."""
        try:
            return self.parse_fast(response, shape)
        except (NotFast, ElementTree.ParseError, KeyError, ValueError):
            return self.botocore_parser.parse(response, shape)

    def parse_fast(self, response: dict[str, Any], shape: Shape | None) -> dict[str, Any]:
        """The fast read, or :class:`NotFast` (and friends) where it does not apply."""
        if shape is None or shape.name not in FAST_OUTPUTS or response["status_code"] != 200:
            raise NotFast(getattr(shape, "name", None))
        assert isinstance(shape, StructureShape)
        builder = ElementTree.XMLParser(encoding="utf-8")  # as botocore builds its DOM
        builder.feed(response["body"])
        root = builder.close()
        # Every element is in the root's namespace (AWS's IAM one, or none on moto): the
        # readers look members up by the full tag.
        tag: str = root.tag
        namespace = tag[:tag.index("}") + 1] if tag.startswith("{") else ""
        result = _only_child(root, namespace + shape.serialization["resultWrapper"])
        name = FAST_OUTPUTS[shape.name]
        items = _only_child(result, namespace + name)
        values = self._reader(namespace, shape.members[name])(items)
        result.remove(items)  # botocore parses the rest: paging fields, metadata, headers
        rest = dict(response, body=ElementTree.tostring(root, encoding="utf-8"))
        parsed: dict[str, Any] = self.botocore_parser.parse(rest, shape)
        if name in parsed:
            raise NotFast(name)  # the list was somewhere else too
        parsed[name] = values
        return parsed

    def _reader(self, namespace: str, shape: Shape) -> Reader:
        """A function reading ``shape`` from an element, built once per shape and namespace."""
        key = (namespace, shape.name)
        if key not in self.readers:
            self.readers[key] = None  # being built: a shape that contains itself
            self.readers[key] = self._build_reader(namespace, shape)
        reader = self.readers[key]
        if reader is None:
            raise NotFast(f"recursive shape {shape.name}")
        return reader

    def _build_reader(self, namespace: str, shape: Shape) -> Reader:
        kind = shape.type_name
        if kind == "structure":
            assert isinstance(shape, StructureShape)
            members: dict[str, tuple[str, Reader]] = {}  # full tag -> member name, reader
            for name, member in shape.members.items():
                s = member.serialization
                if s.get("name") or s.get("flattened") or s.get("location") \
                        or s.get("xmlAttribute"):
                    raise NotFast(name)
                members[namespace + name] = (name, self._reader(namespace, member))

            def structure(node: Any) -> dict[str, Any]:
                out: dict[str, Any] = {}
                for child in node:
                    found = members.get(child.tag)
                    if found is None:
                        continue  # botocore reads only the modelled members
                    name, read = found
                    if name in out:
                        raise NotFast(name)  # repeated: botocore builds a list here
                    out[name] = read(child)
                return out
            return structure
        if kind == "list":
            if shape.serialization.get("flattened") or not isinstance(shape, ListShape):
                raise NotFast(shape.name)
            item = self._reader(namespace, shape.member)
            return lambda node: [item(child) for child in node]
        # Scalars as botocore reads them: an empty element is "", not None.
        if kind == "string":
            return lambda node: node.text or ""
        if kind == "timestamp":
            parse = self.timestamp_parser
            return lambda node: parse(node.text or "")
        if kind == "boolean":
            return lambda node: node.text == "true"
        if kind in ("integer", "long"):
            return lambda node: int(node.text or "")

        def other(node: Any) -> Any:  # a type not read here: only if it actually occurs
            raise NotFast(kind)
        return other


def _only_child(node: Any, tag: str) -> Any:
    """The one child of ``node`` with ``tag`` (none, or more than one: not read here)."""
    found = [child for child in node if child.tag == tag]
    if len(found) != 1:
        raise NotFast(tag)
    return found[0]


class FastListParserFactory(ResponseParserFactory):
    """botocore's parser factory; the query protocol's parser (IAM) gets the fast lists."""

    def __init__(self) -> None:
        super().__init__()
        self.timestamp_parser: Callable[[str], Any] | None = None

    def set_parser_defaults(self, **kwargs: Any) -> None:
        """botocore's: defaults for every parser made (the timestamp parser is kept too)."""
        super().set_parser_defaults(**kwargs)
        self.timestamp_parser = kwargs.get("timestamp_parser", self.timestamp_parser)

    def create_parser(self, protocol_name: str) -> Any:
        """botocore's parser for ``protocol_name``; wrapped for ``query``."""
        parser = super().create_parser(protocol_name)
        if protocol_name != "query":
            return parser
        from botocore.utils import parse_timestamp

        return FastListParser(parser, self.timestamp_parser or parse_timestamp)
