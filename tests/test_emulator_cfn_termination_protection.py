"""The emulator's termination protection: it can be switched on and off, and it stops deletes."""

import boto3
import pytest
from botocore.exceptions import ClientError

TEMPLATE = '{"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}'


def _protection(cf, name):
    return cf.describe_stacks(StackName=name)["Stacks"][0]["EnableTerminationProtection"]


def test_termination_protection_is_switched_on_and_off_and_shown_by_describe_stacks(aws):
    cf = boto3.client("cloudformation")
    stack_id = cf.create_stack(StackName="guarded", TemplateBody=TEMPLATE)["StackId"]
    assert _protection(cf, "guarded") is False

    assert (
        cf.update_termination_protection(StackName="guarded", EnableTerminationProtection=True)["StackId"]
        == stack_id
    )
    assert _protection(cf, "guarded") is True
    cf.update_termination_protection(StackName=stack_id, EnableTerminationProtection=False)
    assert _protection(cf, "guarded") is False


def test_a_protected_stack_is_not_deleted_until_protection_is_switched_off(aws):
    cf = boto3.client("cloudformation")
    cf.create_stack(StackName="guarded", TemplateBody=TEMPLATE, EnableTerminationProtection=True)

    with pytest.raises(ClientError, match=r"cannot be deleted while TerminationProtection is enabled"):
        cf.delete_stack(StackName="guarded")
    assert cf.describe_stacks(StackName="guarded")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"

    cf.update_termination_protection(StackName="guarded", EnableTerminationProtection=False)
    cf.delete_stack(StackName="guarded")
    with pytest.raises(ClientError, match="does not exist"):
        cf.describe_stacks(StackName="guarded")


def test_updating_protection_of_a_missing_stack_is_a_validation_error(aws):
    cf = boto3.client("cloudformation")
    with pytest.raises(ClientError, match=r"Stack \[nowhere\] does not exist"):
        cf.update_termination_protection(StackName="nowhere", EnableTerminationProtection=True)
