#!/usr/bin/env python3
"""Cron-friendly backup manager over the `dr` command line.

One run backs up the given sources, applies the retention policy and prunes, verifies a
random subset of the repository's data, restores the latest snapshot into a scratch
directory as a restore test, and writes Prometheus textfile-collector metrics. It exits
non-zero when any step fails, so cron (or a systemd timer) reports the failure:

    0  every step succeeded
    1  a step failed (the backup, the retention, the restore test, ...)
    2  usage or configuration error (bad flags, unreadable config file, dr not found)
    3  the repository has an integrity problem (dr verify found damage)
    4  the backup left out entries it could not read (dr backup's exit 4); the snapshot of
       everything else was saved and the other steps ran

Only the Python 3 standard library is used. The password comes, as for `dr` itself, from
$DR_PASSWORD or --password-file. Settings may also come from a JSON file (--config), whose
keys are the long flag names with dashes ("keep-daily": 7, "source": ["/srv/a"]); flags
given on the command line win.

Example crontab line, every 15 minutes:

    */15 * * * * DR_PASSWORD_FILE=... backup_manager.py run --repo s3://b/orders \\
        --password-file /run/secrets/dr --source /var/lib/orders --keep-within P2D \\
        --keep-daily 7 --verify-subset 0.05 --restore-test \\
        --textfile /var/lib/node_exporter/textfile/dr.prom
"""

import argparse
import fcntl
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTEGRITY, EXIT_INCOMPLETE = 0, 1, 2, 3, 4
KEEP_COUNTS = ("keep-last", "keep-hourly", "keep-daily", "keep-weekly", "keep-monthly", "keep-yearly")
STEPS = ("backup", "retention", "verify", "restore_test")


class UsageError(Exception):
    """A flag, the config file or the environment is wrong; exit 2."""


class StepFailed(Exception):
    """A dr command failed; carries the exit code dr gave."""

    def __init__(self, step, code, message):
        super().__init__(f"{step} failed (dr exit {code}): {message}")
        self.step = step
        self.code = code


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="backup_manager.py",
        description="Back up, retain, verify and restore-test a DR Kit repository; cron friendly.")
    parser.add_argument("command", choices=("run", "backup", "retain", "verify", "restore-test"),
                        help="run does every step that is configured; the others do one step")
    parser.add_argument("--config", help="JSON file with defaults for the flags below")
    parser.add_argument("--repo", help="repository URI or path (as dr --repo)")
    parser.add_argument("--password-file", help="password file (else $DR_PASSWORD)")
    parser.add_argument("--source", action="append", help="directory to back up (repeatable)")
    parser.add_argument("--exclude", action="append", help="glob to skip (repeatable)")
    parser.add_argument("--tag", action="append", help="tag for the snapshot (repeatable)")
    for name in KEEP_COUNTS:
        parser.add_argument("--" + name, type=int, metavar="N")
    parser.add_argument("--keep-within", metavar="DURATION", help="ISO-8601 duration, e.g. P7D")
    parser.add_argument("--verify-subset", type=float, metavar="FRACTION",
                        help="fraction (0..1] of the packs to read and re-hash; 0 skips")
    parser.add_argument("--restore-test", action="store_true", default=None,
                        help="restore the latest snapshot into a scratch directory and check it")
    parser.add_argument("--scratch", help="directory for restore tests (default: system temp)")
    parser.add_argument("--textfile", help="write Prometheus textfile-collector metrics here")
    parser.add_argument("--dr", help="the dr command (default: $DR_CLI, else 'dr' on PATH)")
    parser.add_argument("--lock-file", help="lock against overlapping runs (default: none)")
    args = parser.parse_args(argv)
    return merge_config(parser, args)


def merge_config(parser, args):
    """Fills flags not given on the command line from the JSON config file."""
    if not args.config:
        return args
    try:
        with open(args.config, encoding="utf-8") as f:
            config = json.load(f)
    except OSError as e:
        raise UsageError(f"--config {args.config}: cannot read: {e.strerror}") from e
    except json.JSONDecodeError as e:
        raise UsageError(f"--config {args.config}: not JSON: line {e.lineno}: {e.msg}") from e
    if not isinstance(config, dict):
        raise UsageError(f"--config {args.config}: expected a JSON object")
    known = {a.dest: a for a in parser._actions if a.dest not in ("help", "command", "config")}
    for key, value in config.items():
        dest = key.replace("-", "_")
        if dest not in known:
            raise UsageError(f"--config {args.config}: unknown key '{key}'")
        action = known[dest]
        if isinstance(action, argparse._AppendAction) and isinstance(value, str):
            value = [value]
        if action.type is not None and value is not None and not isinstance(value, list):
            try:
                value = action.type(value)
            except (TypeError, ValueError) as e:
                raise UsageError(f"--config {args.config}: '{key}': bad value {value!r}") from e
        if getattr(args, dest) is None:
            setattr(args, dest, value)
    return args


def dr_command(args):
    if args.dr:
        return shlex.split(args.dr)
    if os.environ.get("DR_CLI"):
        return shlex.split(os.environ["DR_CLI"])
    found = shutil.which("dr")
    if not found:
        raise UsageError("dr not found: give --dr, set $DR_CLI or put dr on PATH")
    return [found]


class Dr:
    """Runs dr subcommands with --json and returns their parsed output."""

    def __init__(self, command, repo, password_file):
        self.command = command
        self.repo = repo
        self.password_file = password_file

    def run(self, step, *words, accept=(0,)):
        argv = list(self.command) + list(words) + ["--repo", self.repo, "--json"]
        if self.password_file:
            argv += ["--password-file", self.password_file]
        try:
            done = subprocess.run(argv, capture_output=True, text=True, check=False)
        except OSError as e:
            raise UsageError(f"cannot run {argv[0]}: {e.strerror}") from e
        if done.returncode not in accept:
            message = (done.stderr.strip() or done.stdout.strip()).splitlines()
            raise StepFailed(step, done.returncode, message[-1] if message else "no output")
        try:
            return json.loads(done.stdout) if done.stdout.strip() else {}
        except json.JSONDecodeError as e:
            raise StepFailed(step, EXIT_FAILED, f"unreadable JSON from dr: {e.msg}") from e


def backup(dr, args, metrics):
    if not args.source:
        raise UsageError("backup needs at least one --source")
    words = ["backup"]
    for glob in args.exclude or []:
        words += ["--exclude", glob]
    for tag in args.tag or []:
        words += ["--tag", tag]
    started = time.monotonic()
    # Exit 4: saved, less the entries dr could not read (named in its JSON); the run goes on.
    result = dr.run("backup", *words, *args.source, accept=(EXIT_OK, EXIT_INCOMPLETE))
    metrics["backup_duration_seconds"] = time.monotonic() - started
    unreadable = result.get("unreadableCount", 0)
    metrics["backup_unreadable_entries"] = unreadable
    if unreadable:
        left_out = result.get("unreadable", [])
        print(f"backup_manager: backup left out {unreadable} entries it could not read"
              + (f", such as {left_out[0]}" if left_out else ""), file=sys.stderr)
        metrics["incomplete"] = 1
    metrics["backup_bytes_added"] = result.get("bytesAdded", 0)
    metrics["backup_files"] = result.get("snapshot", {}).get("files", 0)
    metrics["last_backup_success_timestamp_seconds"] = time.time()
    log(f"backup: snapshot {result.get('snapshot', {}).get('id', '?')[:8]}, "
        f"{result.get('bytesAdded', 0)} bytes added")


def retention_words(args):
    words = []
    for name in KEEP_COUNTS:
        value = getattr(args, name.replace("-", "_"))
        if value is not None:
            if value < 0:
                raise UsageError(f"--{name} must be >= 0, but was {value}")
            words += ["--" + name, str(value)]
    if args.keep_within:
        words += ["--keep-within", args.keep_within]
    return words


def retain(dr, args, metrics):
    words = retention_words(args)
    if not words:
        log("retention: no policy given, nothing removed")
        return
    result = dr.run("retention", "forget", "--prune", *words)
    removed = len(result.get("forget", {}).get("removed", []))
    kept = len(result.get("forget", {}).get("kept", []))
    metrics["snapshots"] = kept
    metrics["retention_removed_snapshots"] = removed
    log(f"retention: kept {kept}, removed {removed}")


def verify(dr, args, metrics):
    fraction = args.verify_subset
    if fraction is None or fraction == 0:
        words = ["verify"]
    elif 0 < fraction <= 1:
        words = ["verify", "--read-data-subset", repr(fraction)]
    else:
        raise UsageError(f"--verify-subset must be in (0, 1], but was {fraction}")
    try:
        result = dr.run("verify", *words)
    except StepFailed as e:
        metrics["verify_success"] = 0
        raise e
    metrics["verify_success"] = 1
    metrics["verify_packs_read"] = result.get("packsRead", 0)
    log(f"verify: {result.get('snapshots', 0)} snapshots, {result.get('packsRead', 0)} packs read, "
        f"{len(result.get('problems', []))} problems")


def restore_test(dr, args, metrics):
    """Restores the latest snapshot into scratch space and checks it against its manifest."""
    snapshots = dr.run("restore_test", "snapshots")
    if not snapshots:
        raise StepFailed("restore_test", EXIT_FAILED, "no snapshot to restore")
    latest = max(snapshots, key=lambda s: s["time"])
    scratch = tempfile.mkdtemp(prefix="dr-restore-test-", dir=args.scratch)
    try:
        started = time.monotonic()
        result = dr.run("restore_test", "restore", latest["id"], "--target", scratch)
        elapsed = time.monotonic() - started
        if result.get("files") != latest.get("files") or result.get("bytes") != latest.get("bytes"):
            metrics["restore_test_success"] = 0
            raise StepFailed("restore_test", EXIT_INTEGRITY,
                             f"snapshot {latest['id'][:8]} lists {latest.get('files')} files and "
                             f"{latest.get('bytes')} bytes, the restore wrote {result.get('files')} "
                             f"and {result.get('bytes')}")
        on_disk = sum(os.path.getsize(os.path.join(d, f))
                      for d, _, files in os.walk(scratch) for f in files
                      if not os.path.islink(os.path.join(d, f)))
        if on_disk != latest.get("bytes"):
            metrics["restore_test_success"] = 0
            raise StepFailed("restore_test", EXIT_INTEGRITY,
                             f"snapshot {latest['id'][:8]} holds {latest.get('bytes')} bytes, "
                             f"{on_disk} found on disk after the restore")
        metrics["restore_test_success"] = 1
        metrics["restore_test_duration_seconds"] = elapsed
        metrics["restore_test_timestamp_seconds"] = time.time()
        log(f"restore test: snapshot {latest['id'][:8]}, {result.get('files')} files in {elapsed:.2f} s")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def write_textfile(path, metrics, outcome):
    """Writes the metrics atomically (temp file, then rename), as the textfile collector wants."""
    lines = [
        "# HELP dr_backup_manager_success Whether the last run succeeded (1) or failed (0).",
        "# TYPE dr_backup_manager_success gauge",
        f"dr_backup_manager_success {1 if outcome == EXIT_OK else 0}",
        "# HELP dr_backup_manager_exit_code The exit code of the last run.",
        "# TYPE dr_backup_manager_exit_code gauge",
        f"dr_backup_manager_exit_code {outcome}",
        "# HELP dr_backup_manager_run_timestamp_seconds When the last run ended.",
        "# TYPE dr_backup_manager_run_timestamp_seconds gauge",
        f"dr_backup_manager_run_timestamp_seconds {time.time():.3f}",
    ]
    for name in sorted(metrics):
        lines += [f"# TYPE dr_backup_manager_{name} gauge", f"dr_backup_manager_{name} {float(metrics[name]):g}"]
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix=".dr-metrics-", dir=directory)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(temporary, path)


def log(message):
    print(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {message}", flush=True)


def main(argv=None):
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
        if not args.repo:
            raise UsageError("--repo is required (or 'repo' in --config)")
        dr = Dr(dr_command(args), args.repo, args.password_file)
    except UsageError as e:
        print(f"backup_manager: {e}", file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as e:
        return EXIT_USAGE if e.code else EXIT_OK

    lock = None
    if args.lock_file:
        lock = open(args.lock_file, "a", encoding="utf-8")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"backup_manager: another run holds {args.lock_file}", file=sys.stderr)
            return EXIT_FAILED

    plan = {
        "run": [backup if args.source else None, retain, verify,
                restore_test if args.restore_test else None],
        "backup": [backup], "retain": [retain], "verify": [verify], "restore-test": [restore_test],
    }[args.command]
    metrics = {}
    outcome = EXIT_OK
    try:
        for step in filter(None, plan):
            step(dr, args, metrics)
    except UsageError as e:
        print(f"backup_manager: {e}", file=sys.stderr)
        outcome = EXIT_USAGE
    except StepFailed as e:
        print(f"backup_manager: {e}", file=sys.stderr)
        outcome = EXIT_INTEGRITY if e.code == EXIT_INTEGRITY else (EXIT_USAGE if e.code == EXIT_USAGE else EXIT_FAILED)
    finally:
        if outcome == EXIT_OK and metrics.pop("incomplete", 0):
            outcome = EXIT_INCOMPLETE
        metrics.pop("incomplete", None)
        if args.textfile:
            write_textfile(args.textfile, metrics, outcome)
        if lock:
            lock.close()
    return outcome


if __name__ == "__main__":
    sys.exit(main())
