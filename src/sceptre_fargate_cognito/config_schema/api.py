"""The `api` key: paths that take machine clients' tokens instead of the browser sign-in.

    api:
      paths: ["/api/*"]                      # ALB path patterns
      scopes: {orders.read: Read orders}     # scope name: description (Cognito requires one)
      clients: {partnerSync: [orders.read]}  # client name: its scopes

`check` takes the value written in config.yaml and returns it normalised (plus `path_groups`, the
paths split into listener rules within the ALB's quotas), or raises ValueError with what was
expected; `cross_checks` refuses a path that would take a page away from the browser.
"""

from __future__ import annotations

from sceptre_fargate_cognito import rules

OPTIONS = ("paths", "scopes", "clients")
EXAMPLE = '{paths: ["/api/*"], scopes: {orders.read: Read orders}, clients: {partnerSync: [orders.read]}}'
# The listener rules that come before the API's: the health path and the signed-out page.
RULES_BEFORE = 2
# CloudFormation takes a template sent inline, as Sceptre sends it, up to 51,200 bytes. Within these
# (and the name lengths in rules.py) the alb-ecs and cognito templates fit, however long each name
# (tests/test_api_template_size.py); the ALB and Cognito alone would take more.
TEMPLATE_LIMIT = "CloudFormation's 51,200 bytes for a template sent inline"
MAX_LISTENER_RULES = 5
MAX_SCOPES = 16


def check(value):
    if value in (None, {}):
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"expected a mapping such as {EXAMPLE}")
    # An option not in OPTIONS is reported by the schema's validation, with its line.
    missing = [name for name in OPTIONS if not value.get(name)]
    if missing:
        raise ValueError(
            f"{' and '.join(missing)} missing or empty: an api needs paths, the scopes it defines and "
            f"at least one client, such as {EXAMPLE}"
        )
    paths = _paths(value["paths"])
    scopes = _scopes(value["scopes"])
    clients = _clients(value["clients"], scopes)
    return {"paths": paths, "scopes": scopes, "clients": clients, "path_groups": path_groups(paths)}


def _paths(value) -> list[str]:
    if not isinstance(value, list):
        raise ValueError('paths: expected a list of ALB path patterns, such as ["/api/*"]')
    for path in value:
        if not isinstance(path, str) or not rules.ALB_PATH_PATTERN.allows(path):
            raise ValueError(
                f"paths: {path!r} is not {rules.ALB_PATH_PATTERN.expected}, at most 128 characters"
            )
        wildcards = _wildcards(path)
        if wildcards > rules.ALB_WILDCARDS_PER_RULE:
            raise ValueError(
                f"paths: {path} has {wildcards} wildcards; an ALB rule takes at most {rules.ALB_WILDCARDS_PER_RULE}"
            )
    duplicates = sorted({path for path in value if value.count(path) > 1})
    if duplicates:
        raise ValueError(f"paths: {', '.join(duplicates)} given more than once")
    return list(value)


def _wildcards(path: str) -> int:
    return path.count("*") + path.count("?")


def path_groups(paths: list[str]) -> list[list[str]]:
    """The paths in listener rules, in order: each rule within the ALB's quotas of condition values
    and wildcards per rule."""
    groups: list[list[str]] = []
    for path in paths:
        last = groups[-1] if groups else None
        if (
            last is None
            or len(last) == rules.ALB_CONDITION_VALUES_PER_RULE
            or sum(map(_wildcards, last)) + _wildcards(path) > rules.ALB_WILDCARDS_PER_RULE
        ):
            groups.append([path])
        else:
            last.append(path)
    if len(groups) > MAX_LISTENER_RULES:
        raise ValueError(
            f"paths: {len(paths)} patterns need {len(groups)} listener rules (at most "
            f"{rules.ALB_CONDITION_VALUES_PER_RULE} patterns and {rules.ALB_WILDCARDS_PER_RULE} wildcards each); "
            f"an api has at most {MAX_LISTENER_RULES}, so that the alb-ecs template stays within {TEMPLATE_LIMIT}: "
            "use fewer, broader patterns"
        )
    return groups


def _scopes(value) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError(
            "scopes: expected a mapping of scope name: description, such as {orders.read: Read orders}"
        )
    if len(value) > MAX_SCOPES:
        raise ValueError(
            f"scopes: {len(value)} scopes; an api defines at most {MAX_SCOPES}, so that the cognito template "
            f"stays within {TEMPLATE_LIMIT} (Cognito would take {rules.COGNITO_SCOPES_PER_RESOURCE_SERVER})"
        )
    scopes = {}
    for name, description in value.items():
        if not isinstance(name, str) or not rules.OAUTH_SCOPE_NAME.allows(name):
            raise ValueError(f"scopes: {name!r} is not {rules.OAUTH_SCOPE_NAME.expected}")
        if not isinstance(description, str) or not rules.OAUTH_SCOPE_DESCRIPTION.allows(description):
            raise ValueError(
                f"scopes: {name} needs {rules.OAUTH_SCOPE_DESCRIPTION.expected}: Cognito requires one, "
                f"such as {{{name}: Read orders}}"
            )
        scopes[name] = description
    return scopes


def _clients(value, scopes: dict[str, str]) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise ValueError(
            "clients: expected a mapping of client name: [scopes], such as {partnerSync: [orders.read]}"
        )
    if len(value) > rules.JWT_CLAIM_VALUES:
        raise ValueError(
            f"clients: {len(value)} clients; the ALB checks a token's client_id against at most "
            f"{rules.JWT_CLAIM_VALUES} values"
        )
    clients = {}
    seen: dict[str, str] = {}
    for name, granted in value.items():
        if not isinstance(name, str) or not rules.MACHINE_CLIENT_NAME.allows(name):
            raise ValueError(f"clients: {name!r} is not {rules.MACHINE_CLIENT_NAME.expected}")
        if name.lower() in seen:
            raise ValueError(f"clients: {seen[name.lower()]} and {name} differ only in case: rename one")
        seen[name.lower()] = name
        if isinstance(granted, str):
            granted = [granted]
        if not isinstance(granted, list) or not granted or not all(isinstance(s, str) for s in granted):
            raise ValueError(
                f"clients: {name} needs a list of at least one of the scopes, such as {{{name}: [{next(iter(scopes))}]}}"
            )
        unknown = [scope for scope in granted if scope not in scopes]
        if unknown:
            raise ValueError(
                f"clients: {name} names the scope {', '.join(unknown)}, which scopes does not define; "
                f"the scopes are {', '.join(scopes)}"
            )
        # At most MAX_SCOPES, fewer than the 50 a Cognito app client takes.
        clients[name] = list(dict.fromkeys(granted))
    return clients


def cross_checks(s: dict, health_paths: set[str]) -> list[str]:
    """Paths an API pattern may not take from the browser or from the rules before it."""
    api = s.get("api") or {}
    protected = {
        **{path: "the health path" for path in sorted(health_paths)},
        s["signed_out_path"]: "the signed-out page, signed_out_path",
        "/oauth2/idpresponse": "the ALB's sign-in callback",
        "/": "the application's home page, which people reach through the browser sign-in",
    }
    problems = []
    for pattern in api.get("paths", []):
        for path, what in protected.items():
            if rules.alb_path_matches(pattern, path):
                problems.append(
                    f"api: the path pattern {pattern} matches {path} ({what}), which must stay outside the "
                    "API's token check: choose patterns that leave it out, such as /api/*"
                )
    return problems
