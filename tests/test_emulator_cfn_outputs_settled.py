"""DescribeStacks answered while a stack is being created shows no outputs, as in CloudFormation,
and creates nothing: each resource is made once, by the create.

moto computes outputs through the stack's lazy resource map, where reading a resource not made
yet creates it; the local task runner polls DescribeStacks while `sceptre launch` creates the
stack, so a second cluster or service could be made beside the create's own, and the create then
failed ("ECS service doesn't exist" for the scalable target, then ROLLBACK_FAILED).
"""

import threading

import boto3
from cfn_stacks import outputs, put_stack, scaled_service

# Parameters first (they make the create last long enough to be described half-way), then what
# the outputs name.
FILLERS = 2000
TEMPLATE = (
    "Resources:\n"
    + "".join(
        f"  Filler{i}: {{Type: AWS::SSM::Parameter, Properties: {{Name: /busy/p{i}, Type: String, Value: v{i}}}}}\n"
        for i in range(FILLERS)
    )
    + scaled_service(cluster_depends_on=[f"Filler{i}" for i in range(FILLERS)])
    + """Outputs:
  ClusterName: {Value: !Ref Cluster}
  ServiceName: {Value: !GetAtt Service.Name}
"""
)


ATTEMPTS = 5  # creates, until some DescribeStacks land wholly half-way (a loaded machine lands few)


def _describe_while(
    cf, name: str, polling: threading.Semaphore, creating: threading.Event, seen: list[dict]
) -> None:
    """DescribeStacks over and over, as the task runner polls, until the create has returned."""
    while creating.is_set():
        try:
            (stack,) = cf.describe_stacks(StackName=name)["Stacks"]
            seen.append(stack)
        except cf.exceptions.ClientError:
            pass  # not there yet
        polling.release()


def _create_while_described(cf, name: str) -> tuple[dict, list[dict]]:
    """Create the stack while two pollers describe it: the stack, and the answers given wholly
    half-way (a poller's last answer in progress may straddle the end of the create, as moto writes
    the status into the response before it reads the outputs: it is left out)."""
    creating, polling = threading.Event(), threading.Semaphore(0)
    seen: list[list[dict]] = [[], []]  # what each poller was answered, in order
    creating.set()
    pollers = [
        threading.Thread(
            target=_describe_while, args=(boto3.client("cloudformation"), name, polling, creating, answers)
        )
        for answers in seen
    ]
    for poller in pollers:
        poller.start()
    try:
        for _ in pollers:
            polling.acquire()  # both pollers polling before the create starts
        stack = put_stack(cf, name, TEMPLATE)
    finally:
        creating.clear()
        for poller in pollers:
            poller.join()
    in_progress = ("CREATE_PENDING", "CREATE_IN_PROGRESS")
    return stack, [
        answer for answers in seen for answer in [a for a in answers if a["StackStatus"] in in_progress][:-1]
    ]


def test_a_stack_described_while_being_created_shows_no_outputs_and_gets_each_resource_once(aws):
    cf, ecs = boto3.client("cloudformation"), boto3.client("ecs")
    stacks, half_way = [], []
    while not half_way and len(stacks) < ATTEMPTS:
        stack, answers = _create_while_described(cf, f"busy{len(stacks)}")
        stacks.append(stack)
        half_way += answers

    assert half_way, f"no DescribeStacks landed during {ATTEMPTS} creates: make them longer"
    assert [s.get("Outputs") for s in half_way] == [None] * len(half_way)
    clusters = []
    for stack in stacks:
        assert stack["StackStatus"] == "CREATE_COMPLETE", stack.get("StackStatusReason")
        out = outputs(stack)
        clusters.append(ecs.describe_clusters(clusters=[out["ClusterName"]])["clusters"][0]["clusterArn"])
        [service] = ecs.list_services(cluster=out["ClusterName"])["serviceArns"]
        assert service.endswith("/" + out["ServiceName"])
    assert sorted(ecs.list_clusters()["clusterArns"]) == sorted(clusters), "one cluster per create"


def test_a_created_stack_shows_its_outputs(aws):
    cf = boto3.client("cloudformation")
    stack = put_stack(cf, "done", TEMPLATE)
    assert set(outputs(stack)) == {"ClusterName", "ServiceName"}
