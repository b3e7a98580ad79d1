"""The service-linked roles a first launch needs, made before any stack changes.

A new account has no service-linked role for ECS, Elastic Load Balancing or Application Auto
Scaling until something first uses them; AWS then makes them while the first stack create runs,
and that create can fail with "Unable to assume the service linked role". The preflight makes the
missing ones first (iam:CreateServiceLinkedRole), or stops naming the exact command to run.
"""

from __future__ import annotations

from collections.abc import Callable

from sceptre_fargate_cognito.plugin_base.errors import ResolverError

# (AWS service name, the role AWS makes for it): ECS services, the ALB, the service's autoscaling.
ROLES = (
    ("ecs.amazonaws.com", "AWSServiceRoleForECS"),
    ("elasticloadbalancing.amazonaws.com", "AWSServiceRoleForElasticLoadBalancing"),
    ("ecs.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_ECSService"),
)

Call = Callable[..., dict]


def missing(call: Call) -> list[tuple[str, str]]:
    """The (service, role name) pairs whose role the account does not have yet."""
    absent = []
    for service, role in ROLES:
        try:
            call("iam", "get_role", RoleName=role)
        except ResolverError as err:
            if err.aws_code != "NoSuchEntity":
                raise
            absent.append((service, role))
    return absent


def create_missing(call: Call) -> list[str]:
    """Make every missing role; return the names made. A refusal names the command to run instead."""
    made = []
    for service, role in missing(call):
        try:
            call("iam", "create_service_linked_role", AWSServiceName=service)
        except ResolverError as err:
            if err.aws_code == "InvalidInput" and "has been taken" in str(err):
                continue  # made meanwhile (a parallel launch): what we wanted
            raise ResolverError(
                f"the account has no {role} and this launch may not create it ({err}). Ask an "
                f"administrator to run, once per account: aws iam create-service-linked-role "
                f"--aws-service-name {service}",
                aws_code=err.aws_code,
            ) from None
        made.append(role)
    return made
