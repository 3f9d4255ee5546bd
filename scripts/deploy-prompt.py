#!/usr/bin/env python3
"""`gen deploy` and `gen destroy` at a terminal, against moto: the plan is shown and asked
about, and whatever the answer — Ctrl-C, `n` or `y` — nothing half-made is left behind; `n` and
Ctrl-C at the destroy question leave the stack and its objects untouched. Without a terminal,
`gen destroy` refuses unless `--yes`.

Needs a pseudo-terminal, which is why it is a script and not a `cargo test`. Run by
scripts/test.sh; by hand:
    cargo build -q -p generator && .venv/bin/python scripts/deploy-prompt.py target/debug/gen
"""
import os
import pty
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import boto3

GEN = os.path.abspath(sys.argv[1])
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto():
    port = free_port()
    server = subprocess.Popen(
        [os.environ.get("MOTO_SERVER", "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    server.kill()
    sys.exit("moto did not start")


def gen_args(endpoint, workdir, verb, stage):
    args = [GEN, "--endpoint-url", endpoint, "--region", "us-east-1", verb,
            "-f", os.path.join(workdir, "pipeline.yaml"), "--stage", stage]
    if verb == "deploy":
        args += ["--binaries", os.path.join(workdir, "bin"), "--disable-triggers"]
    return args


def deploy_at_a_terminal(endpoint, workdir, stage, react):
    return at_a_terminal(gen_args(endpoint, workdir, "deploy", stage), workdir, react)


def destroy_at_a_terminal(endpoint, workdir, stage, react):
    return at_a_terminal(gen_args(endpoint, workdir, "destroy", stage), workdir, react)


def at_a_terminal(args, workdir, react):
    """Runs `gen` in a pty, waits for the question, lets `react(pid, fd)` answer it;
    returns (exit code, seconds from the answer to the exit, everything printed)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(workdir)
        os.environ["NO_COLOR"] = "1"
        os.execv(GEN, args)
    printed = b""
    deadline = time.time() + 60
    while b"[y/N]" not in printed:
        if time.time() > deadline:
            os.kill(pid, signal.SIGKILL)
            sys.exit(f"no question asked:\n{printed.decode(errors='replace')}")
        try:
            printed += os.read(fd, 4096)
        except OSError:
            sys.exit(f"gen exited before asking:\n{printed.decode(errors='replace')}")
    answered = time.time()
    react(pid, fd)
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        printed += chunk
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), time.time() - answered, printed.decode(errors="replace")


def stack_status(cloudformation, stack):
    try:
        return cloudformation.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
    except cloudformation.exceptions.ClientError as error:
        if "does not exist" in str(error):
            return None
        raise


def check(condition, message, printed):
    if not condition:
        sys.exit(f"FAILED: {message}\n--- gen printed ---\n{printed}")
    print(f"ok: {message}")


def main():
    server, endpoint = start_moto()
    workdir = tempfile.mkdtemp()
    try:
        shutil.copy(os.path.join(ROOT, "pipeline.yaml"), workdir)
        os.mkdir(os.path.join(workdir, "bin"))
        for function in ["task", "notification", "dlq-processor"]:
            with open(os.path.join(workdir, "bin", f"lambda-orders-{function}"), "w") as f:
                f.write(f"#!/bin/sh\n# {function}\n")
        cloudformation = boto3.client("cloudformation", endpoint_url=endpoint, region_name="us-east-1")

        code, took, printed = deploy_at_a_terminal(
            endpoint, workdir, "ctrl-c", lambda pid, fd: os.kill(pid, signal.SIGINT))
        check(code == 1, f"Ctrl-C at the question exits 1 ({took:.2f} s; a hang would hit the 60 s deadline)", printed)
        check("interrupted" in printed, "and says it was interrupted", printed)
        check(stack_status(cloudformation, "orders--ctrl-c") is None,
              "and leaves neither change set nor empty stack", printed)

        code, took, printed = deploy_at_a_terminal(
            endpoint, workdir, "answer-n", lambda pid, fd: os.write(fd, b"n\n"))
        check(code == 1 and "cancelled" in printed, "`n` cancels, exit 1", printed)
        check(stack_status(cloudformation, "orders--answer-n") is None, "and leaves nothing", printed)

        code, took, printed = deploy_at_a_terminal(
            endpoint, workdir, "answer-y", lambda pid, fd: os.write(fd, b"y\n"))
        check(code == 0 and "CREATE_COMPLETE" in printed, "`y` deploys, exit 0", printed)
        check(stack_status(cloudformation, "orders--answer-y") == "CREATE_COMPLETE",
              "and the stack is there", printed)

        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        bucket = "orders-results-answer-y-123456789012"
        s3.put_object(Bucket=bucket, Key="invoices/o-1.json", Body=b"{}")

        def untouched():
            return (stack_status(cloudformation, "orders--answer-y") == "CREATE_COMPLETE"
                    and len(s3.list_object_versions(Bucket=bucket).get("Versions", [])) == 1)

        code, took, printed = destroy_at_a_terminal(
            endpoint, workdir, "answer-y", lambda pid, fd: os.kill(pid, signal.SIGINT))
        check("AWS::SQS::Queue" in printed and bucket in printed and "1 object version" in printed,
              "`gen destroy` shows the plan: resources by type, buckets with their versions", printed)
        check(code == 1 and "interrupted" in printed,
              f"Ctrl-C at the destroy question exits 1 at once ({took:.2f} s)", printed)
        check(untouched(), "and leaves the stack and its objects untouched", printed)

        code, took, printed = destroy_at_a_terminal(
            endpoint, workdir, "answer-y", lambda pid, fd: os.write(fd, b"n\n"))
        check(code == 1 and "cancelled" in printed, "`n` at the destroy question exits 1", printed)
        check(untouched(), "and leaves the stack and its objects untouched", printed)

        refused = subprocess.run(gen_args(endpoint, workdir, "destroy", "answer-y"),
                                 stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                 env={**os.environ, "NO_COLOR": "1"}, timeout=120)
        check(refused.returncode == 1 and "--yes" in refused.stderr,
              "without a terminal, `gen destroy` refuses and says to pass `--yes`", refused.stderr)
        check(untouched(), "and destroys nothing", refused.stderr)

        code, took, printed = destroy_at_a_terminal(
            endpoint, workdir, "answer-y", lambda pid, fd: os.write(fd, b"y\n"))
        check(code == 0 and "destroyed stack" in printed, "`y` destroys, exit 0", printed)
        check(stack_status(cloudformation, "orders--answer-y") is None, "and the stack is gone", printed)
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(workdir, ignore_errors=True)


main()
