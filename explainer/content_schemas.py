"""JSON Schemas of the content files, generated from the field tables in schema.py.

`python build.py schema` writes them into schemas/. Each content file names its schema in a
first-line comment that YAML editors read (the YAML extension of VS Code, and any editor
using yaml-language-server), so writers get completion, descriptions and checks as they type:

    # yaml-language-server: $schema=../schemas/timeline.schema.json
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from . import schema
from .schema import Field, Kind

DRAFT = "http://json-schema.org/draft-07/schema#"
COMMENT = "# yaml-language-server: $schema="

#: content file (without .yaml) -> the kind of record it holds; site.yaml holds one record, the others a list.
FILES: dict[str, Kind] = {"site": schema.SITE, **schema.LIST_KINDS}
#: The front matter of pages/*.md; YAML editors do not read it, but the schema documents it.
EXTRA: dict[str, Kind] = {"page": schema.PAGE}

_SLUG = schema.SLUG.pattern
_LANG = schema.LANG.pattern
_DATE = "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
_TIME = "^([01][0-9]|2[0-3]):[0-5][0-9](Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])$"
_DATETIME = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?(Z|[+-][0-9]{2}:[0-9]{2})$"
_URL = "^(https?://[^\\s]+|mailto:[^\\s]+|(?![A-Za-z][A-Za-z0-9+.-]*:)(?!//)[^\\s]+)$"


def _value(spec: Field) -> dict[str, Any]:
    """The schema of one value of a field (one item, for a list field)."""
    kind = spec.type
    if kind == "record":
        assert spec.of is not None
        return kind_schema(spec.of)
    if kind in ("text", "markdown"):
        return {"type": "string", "minLength": 1, "pattern": "\\S"}
    if kind in ("id", "ref"):
        return {"type": "string", "pattern": f"^{_SLUG}$", "maxLength": schema.MAX_ID}
    if kind == "choice":
        return {"enum": list(spec.choices)}
    if kind == "date":
        # A year alone may be written unquoted, and YAML then reads it as a number.
        return {"anyOf": [{"type": "string", "pattern": _DATE}, {"type": "integer", "minimum": 1, "maximum": 9999}]}
    if kind == "time":
        return {"type": "string", "pattern": _TIME}
    if kind == "datetime":
        return {"type": "string", "pattern": _DATETIME}
    if kind == "url":
        return {"type": "string", "pattern": _URL}
    if kind == "lang":
        return {"type": "string", "pattern": f"^{_LANG}$"}
    if kind == "media":
        return {"type": "string", "minLength": 1}
    if kind == "bool":
        return {"type": "boolean"}
    if kind == "int":
        return {"type": "integer"}
    if kind == "number":
        return {"type": "number"}
    raise AssertionError(f"no JSON Schema for field type {kind}")


def field_schema(spec: Field) -> dict[str, Any]:
    """A field's schema with its description and example, as editors show them."""
    value = _value(spec)
    if spec.many:
        value = {"type": "array", "items": value}
        if spec.required:
            value["minItems"] = 1
    doc = spec.doc + (f" (one of: {', '.join(spec.choices)})" if spec.choices else "")
    out: dict[str, Any] = {"description": doc, "markdownDescription": doc, **value}
    if spec.example is not None and spec.example != []:
        out["examples"] = [spec.example]
    return out


def kind_schema(kind: Kind) -> dict[str, Any]:
    """An object with exactly the kind's fields."""
    out: dict[str, Any] = {"type": "object", "title": kind.name}
    required = [f.name for f in kind.fields if f.required]
    if required:
        out["required"] = required
    out["additionalProperties"] = False
    out["properties"] = {f.name: field_schema(f) for f in kind.fields}
    return out


def file_schema(name: str, kind: Kind) -> dict[str, Any]:
    """The schema of one content file: a record (site.yaml, page front matter) or a list of records."""
    head = {"$schema": DRAFT, "title": f"content/{name}.yaml" if name != "page" else "content/pages/*.md front matter"}
    if name in ("site", "page"):
        body = kind_schema(kind)
        body.pop("title")
        return {**head, "description": f"The {kind.name} settings; see docs/content.md.", **body}
    return {**head, "description": f"A list of {kind.name} records; see docs/content.md.", "type": "array", "items": kind_schema(kind)}


def all_schemas() -> dict[str, bytes]:
    """Every schema file by name, as `build.py schema` writes it."""
    out = {}
    for name, kind in {**FILES, **EXTRA}.items():
        out[f"{name}.schema.json"] = (json.dumps(file_schema(name, kind), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return out


def write_schemas(folder: Path) -> list[str]:
    """Write the schemas into folder (replacing each file atomically); return the names that changed."""
    folder.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, data in all_schemas().items():
        target = folder / name
        if target.is_file() and target.read_bytes() == data:
            continue
        temporary = folder / f".{name}.tmp"
        temporary.write_bytes(data)
        os.replace(temporary, target)
        changed.append(name)
    return changed


def comment_line(content_file: Path, schemas: Path) -> str:
    """The first line that names a content file's schema, by a path relative to the file."""
    name = content_file.stem
    relative = os.path.relpath(schemas / f"{name}.schema.json", content_file.parent)
    return f"{COMMENT}{Path(relative).as_posix()}"
