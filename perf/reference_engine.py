"""Runs a workload many times on the reference engine, LocalStack's Step Functions interpreter (localstack-core),
in this process, and prints one JSON line: executions, seconds, executionsPerSecond, transitionsPerSecond, and the
last execution's status and output.

    perf/.venv/bin/python perf/reference_engine.py DEFINITION INPUT [--mock-config F --test-case T] [--executions N]

Executions run one after another on this thread, as LocalStack's synchronous worker runs them (its interpreter
starts its own threads for Map iterations, Parallel branches and Task bodies). The definition is parsed once and
reused, and parsed JSONPath expressions are memoised (jsonpath-ng rebuilds its parser tables on every parse, about
40 ms), both kinder to the reference than LocalStack itself is. Task states are answered by LocalStack's own support
for Step Functions Local mock configurations (SFN_MOCK_CONFIG), with each mocked Return wrapped as the Lambda
response LocalStack expects (`{"StatusCode": 200, "Payload": ...}`).
"""

import argparse
import datetime
import functools
import json
import logging
import os
import sys
import tempfile
import time
import uuid

ACCOUNT = "123456789012"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/quickstep-perf"


def lambda_shaped_mocks(path: str) -> str:
    """A copy of the mock configuration whose Return values are Lambda invoke responses; returns its path."""
    config = json.load(open(path))
    for responses in config.get("MockedResponses", {}).values():
        for response in responses.values():
            if "Return" in response:
                response["Return"] = {"StatusCode": 200, "Payload": response["Return"]}
    handle, copy = tempfile.mkstemp(suffix=".json")
    with os.fdopen(handle, "w") as file:
        json.dump(config, file)
    return copy


def memoise_jsonpath() -> None:
    """Parsed JSONPath expressions are immutable: parse each text once."""
    from localstack.services.stepfunctions.asl.component.common.path import result_path
    from localstack.services.stepfunctions.asl.utils import json_path
    for module in (json_path, result_path):
        if hasattr(module, "parse"):
            module.parse = functools.lru_cache(maxsize=None)(module.parse)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("definition")
    parser.add_argument("input")
    parser.add_argument("--mock-config")
    parser.add_argument("--test-case")
    parser.add_argument("--name", help="state machine name (default: the definition's file name)")
    parser.add_argument("--executions", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    if args.mock_config:
        # Read by localstack.config at import time.
        os.environ["SFN_MOCK_CONFIG"] = lambda_shaped_mocks(args.mock_config)
    logging.disable(logging.CRITICAL)
    memoise_jsonpath()

    from localstack.aws.api.stepfunctions import StateMachineType
    from localstack.services.stepfunctions.asl.eval.evaluation_details import (
        AWSExecutionDetails, EvaluationDetails, ExecutionDetails, StateMachineDetails)
    from localstack.services.stepfunctions.asl.eval.program_state import ProgramEnded, ProgramError
    from localstack.services.stepfunctions.backend.execution_worker import SyncExecutionWorker
    from localstack.services.stepfunctions.backend.execution_worker_comm import ExecutionWorkerCommunication
    from localstack.services.stepfunctions.local_mocking.mock_config import load_local_mock_test_case_for
    from localstack.utils.common import TMP_THREADS

    class Silent(ExecutionWorkerCommunication):
        def terminated(self) -> None:
            pass

    definition = open(args.definition).read()
    input_value = json.load(open(args.input))
    machine = args.name or os.path.basename(args.definition).removesuffix(".json")
    machine_arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{machine}"
    mocks = load_local_mock_test_case_for(machine, args.test_case) if args.test_case else None
    parsed = {}

    def run_once() -> dict:
        name = str(uuid.uuid4())
        details = EvaluationDetails(
            aws_execution_details=AWSExecutionDetails(account=ACCOUNT, region=REGION, role_arn=ROLE),
            execution_details=ExecutionDetails(
                arn=f"arn:aws:states:{REGION}:{ACCOUNT}:execution:{machine}:{name}", name=name, role_arn=ROLE,
                inpt=input_value,
                start_time=datetime.datetime.now(tz=datetime.UTC).isoformat(timespec="milliseconds")),
            state_machine_details=StateMachineDetails(
                arn=machine_arn, name=machine, typ=StateMachineType.STANDARD, definition=definition),
        )
        worker = SyncExecutionWorker(
            evaluation_details=details, exec_comm=Silent(), cloud_watch_logging_session=None, activity_store={},
            local_mock_test_case=mocks)
        if "program" not in parsed:
            parsed["program"] = worker._get_evaluation_entrypoint()
        program = parsed["program"]
        worker._get_evaluation_entrypoint = lambda: program
        worker.start()  # evaluates on this thread
        # LocalStack remembers every thread it starts; drop the finished ones or a long run runs out of threads.
        TMP_THREADS[:] = [thread for thread in TMP_THREADS if thread.is_alive()]
        state = worker.env.program_state()
        events = worker.env.event_manager.get_event_history()
        result = {"transitions": sum(1 for event in events if str(event["type"]).endswith("StateEntered"))}
        if isinstance(state, ProgramEnded):
            result.update(status="SUCCEEDED", output=worker.env.states.get_input())
        elif isinstance(state, ProgramError):
            result.update(status="FAILED", error=(state.error or {}).get("error"), cause=(state.error or {}).get("cause"))
        else:
            result.update(status=type(state).__name__)
        return result

    for _ in range(args.warmup):
        run_once()
    transitions = 0
    last = {}
    began = time.perf_counter()
    for _ in range(args.executions):
        last = run_once()
        transitions += last["transitions"]
    seconds = time.perf_counter() - began
    print(json.dumps({
        "executions": args.executions, "seconds": seconds,
        "executionsPerSecond": args.executions / seconds, "transitionsPerSecond": transitions / seconds,
        "status": last.get("status"), "output": last.get("output"), "error": last.get("error"), "cause": last.get("cause"),
    }, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
