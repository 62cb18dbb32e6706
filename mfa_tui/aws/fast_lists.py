"""A faster parse of the two IAM answers that carry thousands of items (botocore's otherwise).

On a 5,000-user account ``ListUsers`` and the ``ListVirtualMFADevices`` pages were half of
the client's CPU for a whole read, nearly all of it botocore's generic walk over the XML
tree. This parser walks the same tree (botocore's own DOM builder), driven by the same
shapes, with the same scalar rules (empty text is "", booleans are ``== "true"``,
timestamps through the session's parser), and keeps botocore's response metadata. Anything
it does not expect — a member with an XML name of its own, a flattened list, a repeated
tag, another type — hands the whole answer back to botocore's parser. A test checks both
give the same result on moto's answers, with and without the IAM XML namespace.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.model import Shape, StructureShape
from botocore.parsers import QueryParser, ResponseParserFactory

#: The output shapes parsed here: the big lists ``aws/inventory.py`` reads.
FAST_OUTPUTS = frozenset({"ListUsersResponse", "ListVirtualMFADevicesResponse"})


class _Unexpected(Exception):
    """Something botocore's general parser handles and this one does not: use botocore's."""


Reader = Callable[[Any], Any]  # an XML element -> its parsed value


class FastListParser(QueryParser):
    """botocore's query parser, with a fast path for ``FAST_OUTPUTS``."""

    def _do_parse(self, response: dict[str, Any], shape: Shape | None) -> Any:
        if shape is not None and shape.name in FAST_OUTPUTS:
            try:
                return self._fast_parse(response["body"], shape)
            except (_Unexpected, KeyError, ValueError):
                pass
        return super()._do_parse(response, shape)

    def _fast_parse(self, body: bytes, shape: Shape) -> dict[str, Any]:
        root = self._parse_xml_string_to_dom(body)
        # Every element is in the root's namespace (AWS's IAM one, or none on moto): the
        # readers look members up by the full tag, as botocore matches the bare name.
        tag: str = root.tag
        namespace = tag[:tag.index("}") + 1] if tag.startswith("{") else ""
        if getattr(self, "_namespace", None) != namespace:  # readers are built for one
            self._namespace = namespace
            self.__dict__["_readers"] = {}
        start = self._find_result_wrapped_shape(shape.serialization["resultWrapper"], root)
        parsed = self._reader(shape)(start)
        self._inject_response_metadata(root, parsed)
        return dict(parsed)

    def _reader(self, shape: Shape) -> Reader:
        """A function reading ``shape`` from an element, built once per shape and parser."""
        readers: dict[str, Reader | None] = self.__dict__.setdefault("_readers", {})
        if shape.name not in readers:
            readers[shape.name] = None  # being built: a shape that contains itself
            readers[shape.name] = self._build_reader(shape)
        reader = readers[shape.name]
        if reader is None:
            raise _Unexpected(f"recursive shape {shape.name}")
        return reader

    def _build_reader(self, shape: Shape) -> Reader:
        kind = shape.type_name
        if kind == "structure":
            assert isinstance(shape, StructureShape)
            members: dict[str, tuple[str, Reader]] = {}  # full tag -> member name, reader
            for name, member in shape.members.items():
                s = member.serialization
                if s.get("name") or s.get("flattened") or s.get("location") \
                        or s.get("xmlAttribute"):
                    raise _Unexpected(name)
                members[self._namespace + name] = (name, self._reader(member))

            def structure(node: Any) -> dict[str, Any]:
                out: dict[str, Any] = {}
                for child in node:
                    found = members.get(child.tag)
                    if found is None:
                        continue  # botocore reads only the modelled members
                    name, read = found
                    if name in out:
                        raise _Unexpected(name)  # repeated: botocore builds a list here
                    out[name] = read(child)
                return out
            return structure
        if kind == "list":
            if shape.serialization.get("flattened"):
                raise _Unexpected(shape.name)
            item = self._reader(shape.member)
            return lambda node: [item(child) for child in node]
        # Scalars as botocore reads them: an empty element is "", not None.
        if kind == "string":
            return lambda node: node.text or ""
        if kind == "timestamp":
            parse = self._timestamp_parser
            return lambda node: parse(node.text or "")
        if kind == "boolean":
            return lambda node: node.text == "true"
        if kind in ("integer", "long"):
            return lambda node: int(node.text or "")
        if kind == "blob":
            blob = self._blob_parser
            return lambda node: blob(node.text or "")

        def other(node: Any) -> Any:  # a type not read here: only if it actually occurs
            raise _Unexpected(kind)
        return other


class FastListParserFactory(ResponseParserFactory):
    """botocore's parser factory, handing out FastListParser for the query protocol (IAM)."""

    def create_parser(self, protocol_name: str) -> Any:
        if protocol_name == "query":
            return FastListParser(**self._defaults)
        return super().create_parser(protocol_name)
