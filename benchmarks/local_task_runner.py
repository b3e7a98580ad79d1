"""Wall time of the local task runner on a small stack of its own: from start to the first task
healthy and the service counting every task running, then a rolling replacement after a change
of the task definition (target group: 5 s interval, 2 healthy checks, no drain; as local's).

Run: .venv/bin/python benchmarks/local_task_runner.py [desired count, default 2]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import boto3

from sceptre_fargate_cognito.local_env import emulator_process, task_runner

APP = """
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *args): pass
ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
"""

TEMPLATE = """
Parameters:
  Desired: {Type: Number}
  Version: {Type: String}
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  Cluster: {Type: AWS::ECS::Cluster}
  TargetGroup:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      VpcId: !Ref Vpc
      TargetType: ip
      Protocol: HTTP
      Port: 8080
      HealthCheckPath: /healthz
      HealthCheckIntervalSeconds: 5
      HealthyThresholdCount: 2
      TargetGroupAttributes: [{Key: deregistration_delay.timeout_seconds, Value: "0"}]
  TaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - {Name: app, Image: app, Memory: 512, PortMappings: [{ContainerPort: 8080}],
           Environment: [{Name: VERSION, Value: !Ref Version}]}
  Service:
    Type: AWS::ECS::Service
    Properties: {Cluster: !Ref Cluster, TaskDefinition: !Ref TaskDefinition, DesiredCount: !Ref Desired}
Outputs:
  ClusterName: {Value: !Ref Cluster}
  ServiceName: {Value: !GetAtt Service.Name}
  TargetGroupArn: {Value: !Ref TargetGroup}
"""


def until(condition, timeout: float = 120.0) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise SystemExit(f"not within {timeout} s")
        time.sleep(0.1)
    return time.monotonic() - started


def main(desired: int) -> None:
    emulator = emulator_process.start()
    env = {**os.environ, **emulator.aws_env()}
    os.environ.update(emulator.aws_env())
    cf, ecs = boto3.client("cloudformation"), boto3.client("ecs")
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "app.py").write_text(APP)

        def put(version: str, update: bool = False) -> None:
            (cf.update_stack if update else cf.create_stack)(
                StackName="bench",
                TemplateBody=TEMPLATE,
                Parameters=[
                    {"ParameterKey": "Desired", "ParameterValue": str(desired)},
                    {"ParameterKey": "Version", "ParameterValue": version},
                ],
            )

        def service() -> dict:
            (cluster,) = ecs.list_clusters()["clusterArns"]
            return ecs.describe_services(
                cluster=cluster, services=ecs.list_services(cluster=cluster)["serviceArns"]
            )["services"][0]

        put("1")
        started = time.monotonic()
        runner = task_runner.start_process("bench", [sys.executable, "app.py"], Path(tmp), env=env)
        try:
            print(f"runner started:                     {time.monotonic() - started:5.1f} s")
            first = until(lambda: service()["runningCount"] >= 1)
            print(f"first task healthy (RUNNING):       {first:5.1f} s after the runner started")
            every = until(lambda: service()["runningCount"] == desired) + first
            print(f"all {desired} tasks RUNNING:               {every:5.1f} s")
            before = service()["taskDefinition"]
            put("2", update=True)
            changed = time.monotonic()
            until(
                lambda: (
                    len(service()["deployments"]) == 1
                    and service()["deployments"][0]["rolloutState"] == "COMPLETED"
                    and service()["deployments"][0]["taskDefinition"] != before
                )
            )
            print(
                f"rolling replacement of {desired} tasks:    {time.monotonic() - changed:5.1f} s (new healthy, old stopped)"
            )
        finally:
            runner.stop()
            emulator.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
