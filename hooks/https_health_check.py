"""`!https_health_check`: after a launch, prove from outside that the service answers over HTTPS
and that sign-in is enforced; fail the launch otherwise.

    hooks:
      after_launch:
        - !https_health_check {connect_to: ..., url: https://app.example.com, auth_domain: ...}

Every option is in src/sceptre_fargate_cognito/health_check/options.py. Without `url` the target is https:// + the stack output
AlbDnsName; without `auth_domain`, the stack output AuthDomain.
"""

from __future__ import annotations

from sceptre.exceptions import SceptreException
from sceptre.resolvers import Resolver

from sceptre_fargate_cognito.health_check.check import HealthCheck
from sceptre_fargate_cognito.health_check.options import InvalidOptions, StackOutputs, check_values, parse
from sceptre_fargate_cognito.plugin_base.hook import ProjectHook

ALB_DNS_OUTPUT = "AlbDnsName"
AUTH_DOMAIN_OUTPUT = "AuthDomain"


class HttpsHealthCheckError(SceptreException):
    """The health check's arguments are invalid, the stack did not launch, or the service is unhealthy.

    A SceptreException: Sceptre's CLI prints it and exits 1, so `sceptre launch` fails.
    """


class HttpsHealthCheck(ProjectHook):
    tag = "!https_health_check"

    def setup(self):
        # Runs when the config is read, before anything is launched: catch typos and bad values now.
        # Values that are resolvers (e.g. !stack_output) are checked once resolved, in run().
        try:
            check_values(self._argument, skip=lambda value: isinstance(value, Resolver))
        except InvalidOptions as err:
            raise HttpsHealthCheckError(f"{self.where}: invalid arguments: {err}") from None

    def run(self):
        state = self.stack_state()
        if not state.completed:
            # Unlike the guards, the check fails: it is the launch's verdict, and a launch that did
            # not complete is unhealthy. Its message carries the stack's own failure reasons.
            raise HttpsHealthCheckError(f"{self.where}: {state.describe_problem()}")
        outputs = StackOutputs(
            alb_dns_name=state.outputs.get(ALB_DNS_OUTPUT) or None,
            auth_domain=state.outputs.get(AUTH_DOMAIN_OUTPUT) or None,
            names=tuple(sorted(state.outputs)),
        )
        try:
            target = parse(self.argument, outputs)
        except InvalidOptions as err:
            raise HttpsHealthCheckError(f"{self.where}: invalid arguments: {err}") from None

        verdict = HealthCheck(target, emit=self.logger.info).run()
        if verdict.certificate_warning:
            self.logger.warning(
                "certificate for %s expires in %s days", target.url, verdict.certificate_days_left
            )
        if not verdict.healthy:
            # The full summary is already logged above; Sceptre prints this one line on exit.
            raise HttpsHealthCheckError(f"{self.where}: {verdict.summary()[0]}")
