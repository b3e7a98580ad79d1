"""Fn::GetAZs answers the zones of the stack's region, "" meaning that region."""

import boto3

TEMPLATE = """
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24, AvailabilityZone: !Select [1, !GetAZs ""]}
Outputs:
  Zones: {Value: !Join [",", !GetAZs ""]}
  RegionZones: {Value: !Join [",", !GetAZs {Ref: "AWS::Region"}]}
"""


def test_getazs_lists_the_stack_regions_zones_and_subnets_land_in_them(aws):
    cf, ec2 = boto3.client("cloudformation"), boto3.client("ec2")
    cf.create_stack(StackName="azs", TemplateBody=TEMPLATE)
    outputs = {
        o["OutputKey"]: o["OutputValue"] for o in cf.describe_stacks(StackName="azs")["Stacks"][0]["Outputs"]
    }

    zones = sorted(z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"])
    assert zones[0].startswith("eu-west-1")
    assert outputs["Zones"].split(",") == zones
    assert outputs["RegionZones"] == outputs["Zones"]
    subnet_id = cf.describe_stack_resource(StackName="azs", LogicalResourceId="Subnet")[
        "StackResourceDetail"
    ]["PhysicalResourceId"]
    [subnet] = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"]
    assert subnet["AvailabilityZone"] == zones[1]
