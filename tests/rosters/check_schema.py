"""Validates roster files against roster.schema.json with the `jsonschema` package (Draft
2020-12) — a validator that shares no code with the Rust loader or with schemars, which writes
the schema. Prints one JSON object: each file's path and the schema's complaints about it (an
empty list when it validates).

    python check_schema.py SCHEMA FILE...
"""

import json
import sys

import jsonschema
import yaml


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    verdicts = {}
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            # YAML 1.1's types, as an editor's YAML plugin reads the file.
            document = yaml.safe_load(f)
        verdicts[path] = [
            f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
            for e in validator.iter_errors(document)
        ]
    json.dump(verdicts, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
