#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Validate Kubernetes manifests against the API's own object models.

Debian's python3-kubernetes (22.6: Kubernetes 1.22's API) carries a model
class per object, generated from the API's OpenAPI schema: the fields each
object has (attribute_map), their types (openapi_types) and which are
required (its constructor refuses None). Every object of every document is
checked: a known apiVersion/kind, no unknown field, each value of its type,
the required fields present. Prints one line per problem; exit 1 if any.

    k8s_validate.py FILE...
"""
import re
import sys

import yaml
from kubernetes import client
from kubernetes.client import models

PRIMITIVES = {"str": str, "int": int, "bool": bool, "float": (int, float)}


def model_name(api_version, kind):
    """apps/v1 DaemonSet -> V1DaemonSet; v1 Namespace -> V1Namespace."""
    version = api_version.split("/")[-1]
    return version[0].upper() + version[1:] + kind


def check(value, type_name, where, problems):
    m = re.fullmatch(r"list\[(.+)\]", type_name)
    if m:
        if not isinstance(value, list):
            problems.append(f"{where}: want a list, got {type(value).__name__}")
            return
        for i, item in enumerate(value):
            check(item, m.group(1), f"{where}[{i}]", problems)
        return
    m = re.fullmatch(r"dict\(str, (.+)\)", type_name)
    if m:
        if not isinstance(value, dict):
            problems.append(f"{where}: want a map, got {type(value).__name__}")
            return
        # resource quantities: the models say str, the API takes 1 or "1"
        quantity = re.search(r"\.(limits|requests)$", where) is not None
        for k, v in value.items():
            if quantity and isinstance(v, (int, float)) and not isinstance(v, bool):
                continue
            check(v, m.group(1), f"{where}.{k}", problems)
        return
    if type_name == "object":  # IntOrString, RawExtension, ...
        return
    if type_name in PRIMITIVES:
        ok = isinstance(value, PRIMITIVES[type_name])
        if ok and type_name == "int" and isinstance(value, bool):
            ok = False
        if not ok:
            problems.append(f"{where}: want {type_name}, got {value!r}")
        return
    cls = getattr(models, type_name, None)
    if cls is None:
        problems.append(f"{where}: no model {type_name}")
        return
    if not isinstance(value, dict):
        problems.append(f"{where}: want an object ({type_name}), got {value!r}")
        return
    by_json = {j: attr for attr, j in cls.attribute_map.items()}
    for key, v in value.items():
        if key not in by_json:
            problems.append(f"{where}: unknown field '{key}' in {type_name}")
            continue
        check(v, cls.openapi_types[by_json[key]], f"{where}.{key}", problems)


def required(doc, name, where, problems):
    """The models' constructors refuse a missing required field."""
    try:
        client.ApiClient()._ApiClient__deserialize(doc, name)
    except (ValueError, TypeError) as e:
        problems.append(f"{where}: {e}")


def main(paths):
    problems, objects = [], 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            docs = [d for d in yaml.safe_load_all(f) if d is not None]
        for i, doc in enumerate(docs):
            where = f"{path}#{i + 1}"
            if not isinstance(doc, dict) or "apiVersion" not in doc or "kind" not in doc:
                problems.append(f"{where}: not a Kubernetes object (apiVersion, kind)")
                continue
            where += f" {doc['kind']}/{doc.get('metadata', {}).get('name', '?')}"
            name = model_name(doc["apiVersion"], doc["kind"])
            if getattr(models, name, None) is None:
                problems.append(f"{where}: unknown apiVersion/kind {doc['apiVersion']} {doc['kind']}")
                continue
            objects += 1
            check(doc, name, where, problems)
            required(doc, name, where, problems)
    for p in problems:
        print(p)
    print(f"{objects} objects, {len(problems)} problems")
    return 1 if problems or not objects else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
