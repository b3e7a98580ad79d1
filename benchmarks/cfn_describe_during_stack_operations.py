"""How often a stack create or update goes wrong when DescribeStacks is answered on other threads
meanwhile, as the local task runner polls its stack while `sceptre launch local` runs.

moto (with the emulator's extensions) runs in this process; two threads read the stacks' outputs,
as DescribeStacks does, while the main thread creates stacks of a cluster, a service and its
scalable target one after the other, then updates stacks whose exported task definition is
replaced (a leaked revision is one the reads made beside the update's own). The interpreter switches threads every --switch seconds
(CPython's default is 0.005; a tiny value makes a loaded machine's interleavings common). With
--without cfn_outputs_settled the extension that keeps readers off a stack being created is left
out, which is how the emulator was before it (a failed create: "ECS service doesn't exist", then
ROLLBACK_FAILED "cluster ... still contains services").

Run: .venv-moto/bin/python benchmarks/cfn_describe_during_stack_operations.py [--stacks 50] [--switch 1e-6]
     [--without cfn_outputs_settled]
"""

from __future__ import annotations

import argparse
import importlib
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the stacks the tests use

from cfn_stacks import TASK_DEFINITION, scaled_service  # noqa: E402

TEMPLATE = (
    "Resources:\n"
    + scaled_service()
    + """Outputs:
  ClusterName: {Value: !Ref Cluster}
  ServiceName: {Value: !GetAtt Service.Name}
"""
)


def install(without: set[str]) -> None:
    """The emulator's extensions, in their order, but those named."""
    from emulator import extensions, moto_version

    moto_version.check()
    for name in extensions.EXTENSIONS:
        if name not in without:
            importlib.import_module(f"{extensions.PACKAGE}.{name}").install()
    from moto.cloudformation import parsing

    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stacks", type=int, default=50)
    parser.add_argument("--switch", type=float, default=1e-6, help="sys.setswitchinterval, seconds")
    parser.add_argument("--without", action="append", default=[], help="an extension to leave out")
    args = parser.parse_args()
    install(set(args.without))

    from moto.cloudformation.models import cloudformation_backends
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ecs.models import ecs_backends

    region = "eu-west-1"
    cloudformation = cloudformation_backends[DEFAULT_ACCOUNT_ID][region]
    done = threading.Event()
    reads = Counter[str]()

    def describe() -> None:
        while not done.is_set():
            for stack in list(cloudformation.stacks.values()):
                stack.outputs  # what DescribeStacks serialises  # noqa: B018
                reads[stack.status] += 1

    sys.setswitchinterval(args.switch)
    readers = [threading.Thread(target=describe) for _ in range(2)]
    for reader in readers:
        reader.start()
    started = time.monotonic()
    statuses = Counter[str]()
    update_errors = 0
    try:
        for i in range(args.stacks):
            statuses[cloudformation.create_stack(f"s{i}", TEMPLATE, parameters={}, tags={}).status] += 1
        created = time.monotonic()
        for i in range(args.stacks):
            image = [{"ParameterKey": "Image", "ParameterValue": "nginx:1"}]
            cloudformation.create_stack(f"u{i}", TASK_DEFINITION, parameters={"Image": "nginx:1"}, tags={})
            try:
                image[0]["ParameterValue"] = "nginx:2"
                cloudformation.update_stack(
                    f"u{i}", TASK_DEFINITION, role_arn=None, parameters=image, tags={}
                )
            except Exception:
                update_errors += 1
    finally:
        done.set()
        for reader in readers:
            reader.join()
    updated = time.monotonic()
    ecs = ecs_backends[DEFAULT_ACCOUNT_ID][region]
    services = len(ecs.services)
    revisions = sum(
        1 for family in ecs.task_definitions.values() for d in family.values() if d.status == "ACTIVE"
    )
    print(f"without: {', '.join(args.without) or '-'}; switch interval {args.switch:g} s")
    print(f"creates: {args.stacks} in {created - started:.1f} s; statuses: {dict(statuses)}")
    print(f"  ECS clusters: {len(ecs.clusters)}, services: {services} (expected {args.stacks} each)")
    print(f"updates: {args.stacks} in {updated - created:.1f} s; failed: {update_errors}")
    print(f"  active task definitions: {revisions} (expected {2 * args.stacks})")
    print(
        f"outputs read while a stack was being created: {reads['CREATE_IN_PROGRESS'] + reads['CREATE_PENDING']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
