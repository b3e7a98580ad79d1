"""IAM CreateServiceLinkedRole names the ECS, ELB and ECS-autoscaling roles as AWS does."""

import boto3


def test_service_linked_roles_get_the_names_and_paths_aws_gives_them(aws):
    iam = boto3.client("iam")
    for service in (
        "ecs.amazonaws.com",
        "elasticloadbalancing.amazonaws.com",
        "ecs.application-autoscaling.amazonaws.com",
    ):
        iam.create_service_linked_role(AWSServiceName=service)

    roles = {r["RoleName"]: r["Path"] for r in iam.list_roles(PathPrefix="/aws-service-role/")["Roles"]}
    assert roles == {
        "AWSServiceRoleForECS": "/aws-service-role/ecs.amazonaws.com/",
        "AWSServiceRoleForElasticLoadBalancing": "/aws-service-role/elasticloadbalancing.amazonaws.com/",
        "AWSServiceRoleForApplicationAutoScaling_ECSService": "/aws-service-role/ecs.application-autoscaling.amazonaws.com/",
    }
