"""Reading fixture files: YAML with line numbers, then the schema in spec.py."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from qualifications.loader.problems import CatalogueProblem, Location, ParsedFile, describe
from qualifications.spec import CatalogueFileSpec

PYDANTIC_MESSAGES = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field (check its spelling against the README's fixture format)",
    "string_too_short": "must not be empty",
    "too_short": "must not be empty",
    "string_too_long": "must be at most {max_length} characters (the column holds no more)",
    "too_long": "must have at most {max_length} items",
}


def collect_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[CatalogueProblem]]:
    found: list[Path] = []
    problems: list[CatalogueProblem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in {".yaml", ".yml"}))
        elif path.is_file():
            found.append(path)
        else:
            problems.append(CatalogueProblem(str(path), "file", "no such file or directory"))
    if not found and not problems:
        problems.append(CatalogueProblem(", ".join(map(str, paths)), "file", "no YAML files found"))
    return found, problems


def _to_python(
    loader: yaml.SafeLoader, node: yaml.Node, loc: Location, lines: dict[Location, int]
) -> Any:
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise yaml.MarkedYAMLError(
                    problem="a key must be a plain word, not a list or mapping",
                    problem_mark=key_node.start_mark,
                )
            if key in result:
                raise yaml.MarkedYAMLError(
                    problem=f"the key {key!r} appears twice in one mapping",
                    problem_mark=key_node.start_mark,
                )
            result[key] = _to_python(loader, value_node, (*loc, key), lines)
            # A key's own line, not its value's: `rules:` rather than the first rule under it.
            lines[(*loc, key)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(loader, item, (*loc, i), lines) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def parse_file(path: Path) -> tuple[ParsedFile | None, list[CatalogueProblem]]:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [CatalogueProblem(name, "file", f"cannot be read as UTF-8 text: {error}")]
    lines: dict[Location, int] = {}
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        raw = {} if node is None else _to_python(loader, node, (), lines)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        what = " ".join(part for part in (error.context, error.problem) if part)
        if error.context_mark and error.problem_mark and error.context_mark != error.problem_mark:
            what += f" (the construct began at line {error.context_mark.line + 1})"
        return None, [CatalogueProblem(name, where, f"malformed YAML: {what}")]
    except yaml.YAMLError as error:
        return None, [CatalogueProblem(name, "file", f"malformed YAML: {error}")]
    finally:
        loader.dispose()
    if raw == {} and not lines:
        return None, [CatalogueProblem(name, "file", "the file is empty")]
    if not isinstance(raw, dict):
        return None, [CatalogueProblem(name, "line 1", "the file must be a mapping of sections")]
    try:
        spec = CatalogueFileSpec.model_validate(raw)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            template = PYDANTIC_MESSAGES.get(item["type"])
            # Only our own templates are formatted: pydantic's message may quote the input.
            message = template.format(**item.get("ctx", {})) if template else item["msg"]
            message = message.removeprefix("Value error, ")
            problems.append(CatalogueProblem(name, describe(tuple(item["loc"]), lines), message))
        return None, problems
    return ParsedFile(name, spec, lines), []
