"""Listener rules as the ELB guide describes them, over the shapes DescribeRules returns."""

from __future__ import annotations

from sceptre_fargate_cognito.local_env.data_plane.listener_rules import (
    Request,
    matching_rule,
    ordered_actions,
    redirect_location,
    redirect_status,
)


def request(path="/", method="GET", host="app.example.com", query="", protocol="HTTPS", port=443, **more):
    return Request(protocol=protocol, port=port, method=method, host=host, path=path, query=query, **more)


def rule(priority, *conditions, name=None):
    return {
        "Priority": str(priority),
        "IsDefault": False,
        "Conditions": list(conditions),
        "Actions": [{"Type": name or str(priority)}],
    }


DEFAULT = {"Priority": "default", "IsDefault": True, "Conditions": [], "Actions": [{"Type": "default"}]}
HEALTH = rule(
    1,
    {"Field": "path-pattern", "PathPatternConfig": {"Values": ["/healthz"]}},
    {"Field": "http-request-method", "HttpRequestMethodConfig": {"Values": ["GET", "HEAD"]}},
    name="health",
)


def chosen(rules, req) -> str:
    return matching_rule(rules, req)["Actions"][0]["Type"]


def test_every_condition_of_a_rule_must_match_and_any_value_of_a_condition():
    rules = [DEFAULT, HEALTH]

    assert chosen(rules, request("/healthz")) == "health"
    assert chosen(rules, request("/healthz", method="HEAD")) == "health"
    assert chosen(rules, request("/healthz", method="POST")) == "default"
    assert chosen(rules, request("/healthz/x")) == "default"


def test_rules_are_tried_by_priority_as_numbers_and_the_default_last():
    rules = [
        DEFAULT,
        rule(10, {"Field": "path-pattern", "Values": ["/api/*"]}, name="ten"),
        rule(9, {"Field": "path-pattern", "Values": ["/api/v2/*"]}, name="nine"),
    ]

    assert chosen(rules, request("/api/v2/x")) == "nine"
    assert chosen(rules, request("/api/v1/x")) == "ten"
    assert chosen(rules, request("/other")) == "default"


def test_path_patterns_are_case_sensitive_wildcards_and_hosts_are_not():
    rules = [
        DEFAULT,
        rule(1, {"Field": "path-pattern", "Values": ["/img/?.png"]}, name="image"),
        rule(2, {"Field": "host-header", "HostHeaderConfig": {"Values": ["*.Example.com"]}}, name="host"),
    ]

    assert chosen(rules, request("/img/a.png", host="other.test")) == "image"
    assert chosen(rules, request("/img/ab.png", host="other.test")) == "default"
    assert chosen(rules, request("/IMG/a.png", host="other.test")) == "default"
    assert chosen(rules, request("/x", host="api.example.COM".lower())) == "host"


def test_header_query_and_source_ip_conditions_and_an_unknown_field_never_matches():
    rules = [
        DEFAULT,
        rule(
            1,
            {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-Env", "Values": ["blue"]}},
            name="header",
        ),
        rule(
            2,
            {"Field": "query-string", "QueryStringConfig": {"Values": [{"Key": "v", "Value": "2"}]}},
            name="query",
        ),
        rule(3, {"Field": "source-ip", "SourceIpConfig": {"Values": ["10.0.0.0/8"]}}, name="ip"),
        rule(4, {"Field": "something-new", "Values": ["*"]}, name="unknown"),
    ]

    assert chosen(rules, request(headers={"x-env": "BLUE"})) == "header"
    assert chosen(rules, request(query="a=1&v=2")) == "query"
    assert chosen(rules, request(source_ip="10.1.2.3")) == "ip"
    assert chosen(rules, request(source_ip="192.168.0.1")) == "default"


def test_actions_run_in_their_order():
    actions = ordered_actions(
        {"Actions": [{"Type": "forward", "Order": 2}, {"Type": "authenticate-cognito", "Order": 1}]}
    )

    assert [a["Type"] for a in actions] == ["authenticate-cognito", "forward"]


def test_the_http_listeners_redirect_keeps_host_path_and_query_and_lands_on_the_local_https_port():
    config = {
        "Protocol": "HTTPS",
        "Port": "443",
        "Host": "#{host}",
        "Path": "/#{path}",
        "Query": "#{query}",
        "StatusCode": "HTTP_301",
    }
    req = request("/a/b", query="c=d", protocol="HTTP", port=80)

    assert redirect_location(config, req, {443: 8443}) == "https://app.example.com:8443/a/b?c=d"
    assert redirect_location(config, req, {}) == "https://app.example.com/a/b?c=d"  # 443 is https's own
    assert redirect_status(config) == 301


def test_a_redirect_without_components_keeps_the_requests_and_an_empty_query_adds_no_question_mark():
    req = request("/x", protocol="HTTP", port=80)

    assert redirect_location({"StatusCode": "HTTP_302"}, req, {80: 8080}) == "http://app.example.com:8080/x"
    assert (
        redirect_location({"Path": "/moved", "Query": ""}, request("/x", query="q=1"), {})
        == "https://app.example.com/moved"
    )
    assert redirect_status({"StatusCode": "HTTP_302"}) == 302
