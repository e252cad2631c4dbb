"""Macros kept as dbt-utils keeps them: every engine variant (default__x, duckdb__x, trino__x) has its
dispatcher x in the project, every dispatcher is reached by some model, test or hook, and every public macro
is documented in macros/_macros.yml with each of its arguments.

dbt records a dispatch call in the caller's depends_on.macros as the variant it resolved for the parsing
adapter (duckdb__x, else default__x), never as the Trino one. So reachability is reasoned through dispatcher
names: reaching x, or any variant of x, reaches x and all its variants."""

from __future__ import annotations

import re
from collections import deque

import yaml
from dbt.parser.schemas import is_valid_type

from facetlake import paths

ADAPTER_PREFIXES = ("default__", "duckdb__", "trino__")
DISPATCH_CALL = re.compile(r"adapter\.dispatch\(\s*['\"](\w+)['\"]\s*,\s*['\"](\w+)['\"]\s*\)")
SIGNATURE = re.compile(r"\{%-?\s*(?:macro|test)\s+\w+\s*\((.*?)\)\s*-?%\}", re.DOTALL)


def project_macros(manifest: dict) -> dict[str, dict]:
    """The project's own macros by name (no dbt or adapter macros)."""
    project = manifest["metadata"]["project_name"]
    return {macro["name"]: macro for macro in manifest["macros"].values() if macro["package_name"] == project}


def dispatched_name(name: str) -> str | None:
    """x for an engine variant <prefix>x, else None."""
    for prefix in ADAPTER_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return None


def is_public(name: str) -> bool:
    """Documented in _macros.yml: not a private helper (_x) and not an engine variant (its dispatcher is)."""
    return not name.startswith("_") and dispatched_name(name) is None


def reached_macros(manifest: dict) -> set[str]:
    """Names of project macros reachable from any node (model, test, seed, hook) through depends_on.macros,
    where reaching a dispatcher or one of its variants reaches all of them (any engine may run)."""
    project = manifest["metadata"]["project_name"]
    macros = project_macros(manifest)
    family: dict[str, set[str]] = {}
    for name in macros:
        base = dispatched_name(name) or name
        family.setdefault(base, set()).add(name)
    by_id = manifest["macros"]
    queue = deque(uid for node in manifest["nodes"].values() for uid in node["depends_on"]["macros"])
    seen: set[str] = set()
    reached: set[str] = set()
    while queue:
        uid = queue.popleft()
        if uid in seen or uid not in by_id:
            continue
        seen.add(uid)
        macro = by_id[uid]
        queue.extend(macro["depends_on"]["macros"])
        if macro["package_name"] != project:
            continue
        base = dispatched_name(macro["name"]) or macro["name"]
        for name in family.get(base, {macro["name"]}):
            reached.add(name)
            queue.append(macros[name]["unique_id"])
    return reached


def dispatch_problems(manifest: dict) -> list[str]:
    """Variants without a dispatcher, dispatchers that do not dispatch to themselves, unreached dispatchers."""
    project = manifest["metadata"]["project_name"]
    macros = project_macros(manifest)
    problems: list[str] = []
    dispatchers: set[str] = set()
    for name, macro in sorted(macros.items()):
        base = dispatched_name(name)
        if base is not None:
            if base not in macros:
                problems.append(f"{name} ({macro['original_file_path']}) has no dispatcher macro {base}")
            else:
                dispatchers.add(base)
        for called, namespace in DISPATCH_CALL.findall(macro["macro_sql"]):
            if called != name or namespace != project:
                problems.append(f"{name} dispatches '{called}' in namespace '{namespace}'")
    for base in sorted(dispatchers):
        calls = DISPATCH_CALL.findall(macros[base]["macro_sql"])
        if (base, project) not in calls:
            problems.append(f"{base} has engine variants but does not call adapter.dispatch('{base}', '{project}')")
        home = macros[base]["original_file_path"]
        variants = [prefix + base for prefix in ADAPTER_PREFIXES if prefix + base in macros]
        if any(macros[variant]["original_file_path"] != home for variant in variants):
            problems.append(f"the variants of {base} are not all in {home}")
    reached = reached_macros(manifest)
    for base in sorted(dispatchers - reached):
        problems.append(f"dispatcher {base} is reached by no model, test or hook")
    return problems


def signature_arguments(macro_sql: str) -> list[str]:
    """Argument names of a macro (or generic test) as its Jinja definition declares them."""
    match = SIGNATURE.search(macro_sql)
    if match is None or not match.group(1).strip():
        return []
    return [part.split("=")[0].strip() for part in match.group(1).split(",")]


def documentation_problems(manifest: dict, documented_names: list[str]) -> list[str]:
    """Public macros without a description or with an argument undocumented, untyped or mistyped; names in
    _macros.yml that are no macro of the project (dbt only warns about them)."""
    macros = project_macros(manifest)
    problems = [
        f"_macros.yml documents {name}, which is no macro of the project"
        for name in documented_names
        if name not in macros
    ]
    problems += [
        f"_macros.yml documents private or variant macro {name}"
        for name in documented_names
        if name in macros and not is_public(name)
    ]
    for name, macro in sorted(macros.items()):
        if not is_public(name):
            continue
        if not macro["description"].strip():
            problems.append(f"{name} ({macro['original_file_path']}) has no description in macros/_macros.yml")
            continue
        declared = signature_arguments(macro["macro_sql"])
        documented = [argument["name"] for argument in macro["arguments"]]
        if documented != declared:
            problems.append(f"{name}: documented arguments {documented}, the macro takes {declared}")
        for argument in macro["arguments"]:
            if not (argument.get("type") and is_valid_type(argument["type"])):
                problems.append(f"{name}: argument {argument['name']} has no valid type ({argument.get('type')!r})")
            if not (argument.get("description") or "").strip():
                problems.append(f"{name}: argument {argument['name']} has no description")
    return problems


def _documented_names() -> list[str]:
    document = yaml.safe_load((paths.project_dir() / "macros" / "_macros.yml").read_text())
    return [entry["name"] for entry in document["macros"]]


# --- the project ----------------------------------------------------------------------------------------------


def test_every_variant_has_a_reached_dispatcher(manifest):
    assert any(dispatched_name(name) for name in project_macros(manifest)), "no engine variant found"
    problems = dispatch_problems(manifest)
    assert not problems, "dispatch macros out of shape:\n" + "\n".join(problems)


def test_every_public_macro_is_documented(manifest):
    problems = documentation_problems(manifest, _documented_names())
    assert not problems, "macros/_macros.yml incomplete:\n" + "\n".join(problems)


# --- the checks themselves fail when they should (hand-made manifests) -------------------------------------


def _macro(name: str, sql: str, depends_on: tuple[str, ...] = (), path: str = "macros/topic/x.sql", **extra):
    return {
        "unique_id": f"macro.demo.{name}",
        "name": name,
        "package_name": "demo",
        "original_file_path": path,
        "macro_sql": sql,
        "depends_on": {"macros": [f"macro.demo.{called}" for called in depends_on]},
        "description": extra.get("description", ""),
        "arguments": extra.get("arguments", []),
    }


def _manifest(macros: list[dict], node_macros: list[str]) -> dict:
    return {
        "metadata": {"project_name": "demo"},
        "macros": {macro["unique_id"]: macro for macro in macros},
        "nodes": {"model.demo.m": {"depends_on": {"macros": [f"macro.demo.{name}" for name in node_macros]}}},
    }


def _dispatcher(name: str, resolved: str) -> dict:
    sql = f"{{% macro {name}(x) %}}{{{{ return(adapter.dispatch('{name}', 'demo')(x)) }}}}{{% endmacro %}}"
    return _macro(name, sql, depends_on=(resolved,))


def _sql(name: str) -> str:
    return f"{{% macro {name}(x) %}}x{{% endmacro %}}"


def test_check_accepts_a_well_kept_dispatch():
    manifest = _manifest(
        [
            _dispatcher("f", "duckdb__f"),
            _macro("duckdb__f", _sql("duckdb__f")),
            # A dispatcher only a Trino variant calls is still reached: through f's family.
            _macro("trino__f", _sql("trino__f"), depends_on=("default__g",)),
            _dispatcher("g", "default__g"),
            _macro("default__g", _sql("default__g")),
        ],
        node_macros=["f"],
    )
    assert dispatch_problems(manifest) == []


def test_check_fails_on_an_orphan_variant():
    manifest = _manifest(
        [_dispatcher("f", "duckdb__f"), _macro("duckdb__f", _sql("duckdb__f")), _macro("trino__nothing", "")],
        node_macros=["f"],
    )
    assert dispatch_problems(manifest) == ["trino__nothing (macros/topic/x.sql) has no dispatcher macro nothing"]


def test_check_fails_on_an_unreached_dispatcher():
    manifest = _manifest(
        [_dispatcher("f", "duckdb__f"), _macro("duckdb__f", _sql("duckdb__f")), _macro("trino__f", _sql("t"))],
        node_macros=[],
    )
    assert dispatch_problems(manifest) == ["dispatcher f is reached by no model, test or hook"]


def test_check_fails_on_a_variant_apart_or_a_dispatcher_that_does_not_dispatch():
    apart = _manifest(
        [_dispatcher("f", "duckdb__f"), _macro("trino__f", _sql("t"), path="macros/trino/x.sql")],
        node_macros=["f"],
    )
    assert dispatch_problems(apart) == ["the variants of f are not all in macros/topic/x.sql"]
    plain = _manifest([_macro("f", _sql("f")), _macro("trino__f", _sql("t"))], node_macros=["f"])
    assert dispatch_problems(plain) == ["f has engine variants but does not call adapter.dispatch('f', 'demo')"]


def test_check_fails_on_undocumented_macros_and_arguments():
    argument = {"name": "x", "type": "string", "description": "the text"}
    documented = _macro("f", _sql("f"), description="Does f.", arguments=[argument])
    assert documentation_problems(_manifest([documented], []), ["f"]) == []
    undocumented = _macro("g", _sql("g"))
    assert documentation_problems(_manifest([undocumented], []), []) == [
        "g (macros/topic/x.sql) has no description in macros/_macros.yml"
    ]
    no_arguments = _macro("g", _sql("g"), description="Does g.")
    assert documentation_problems(_manifest([no_arguments], []), ["g"]) == [
        "g: documented arguments [], the macro takes ['x']"
    ]
    bad_type = _macro("g", _sql("g"), description="Does g.", arguments=[{**argument, "type": "text"}])
    assert documentation_problems(_manifest([bad_type], []), ["g"]) == ["g: argument x has no valid type ('text')"]
    typo = documentation_problems(_manifest([documented], []), ["f", "ff"])
    assert typo == ["_macros.yml documents ff, which is no macro of the project"]
    # Private helpers and engine variants need no entry of their own.
    assert documentation_problems(_manifest([documented, _macro("_h", ""), _macro("trino__f", "")], []), ["f"]) == []


def test_signature_arguments_reads_defaults_and_generic_tests():
    assert signature_arguments("{% macro f(tag, per_person=true) -%}x{%- endmacro %}") == ["tag", "per_person"]
    assert signature_arguments("{% test is_share(model, column_name) %}x{% endtest %}") == ["model", "column_name"]
    assert signature_arguments("{% macro raw_batch() %}x{% endmacro %}") == []
