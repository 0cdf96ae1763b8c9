"""Checking an API answer against the OpenAPI schema the server serves (PLT-2): the body of
`status` of `method path` must validate against the schema documented for it."""

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012


def _as_json_schema(node):
    """OpenAPI 3.0's `nullable: true` as JSON Schema's type list; readOnly and the like pass."""
    if isinstance(node, list):
        return [_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _as_json_schema(value) for key, value in node.items() if key != "discriminator"}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


def schema_errors(schema: dict, path: str, method: str, status: int, body) -> list[str]:
    """What in `body` the schema does not allow (empty: it conforms). An undocumented status
    is an error of its own."""
    responses = schema["paths"][path][method.lower()]["responses"]
    if str(status) not in responses:
        return [f"status {status} is not documented for {method} {path}"]
    documented = responses[str(status)]["content"]["application/json"]["schema"]
    root = _as_json_schema({"components": schema["components"], "answer": documented})
    registry = Registry().with_resource("urn:kehu", Resource(root, DRAFT202012))
    validator = jsonschema.Draft202012Validator({"$ref": "urn:kehu#/answer"}, registry=registry)
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(body)]
