"""The dr command line's progress, through a pseudo-terminal and through pipes (dr-cli/target/dr.jar).

On a terminal, backup, restore, verify, copy, prune and plan runs draw a bar on standard error;
through a pipe they print plain lines every DR_PROGRESS_INTERVAL seconds; --json output is
unchanged. Run by ./test.sh after the Maven build; alone: python3 -m unittest discover -s scripts/tests
"""

import json
import os
import pathlib
import pty
import re
import select
import shlex
import shutil
import subprocess
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
JAR = ROOT / "dr-cli" / "target" / "dr.jar"
DR = os.environ.get("DR_CLI") or f"java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar {shlex.quote(str(JAR))}"
BAR = re.compile(r"(?P<op>backup|restore|verify|copy|prune)\s+\[[#.]{24}\]\s+(?P<pct>\d+)% "
                 r"(?P<bytes>[\d.]+ (?:B|KiB|MiB|GiB))(?:/[\d.]+ (?:B|KiB|MiB|GiB))? "
                 r"(?P<files>\d+)(?:/\d+)? (?:files?|packs?|snapshots?) [\d.]+ (?:B|KiB|MiB|GiB)/s ETA \S+")


def on_terminal(argv, env, timeout=300):
    """Runs argv with stdin, stdout and stderr on a new pseudo-terminal; returns (exit code, output)."""
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    finally:
        os.close(slave)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([master], [], [], timeout)
            if not ready:
                proc.kill()
                raise AssertionError(f"no output for {timeout} s from {argv}")
            try:
                data = os.read(master, 65536)
            except OSError:  # the terminal closed: the process has ended
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
    return proc.wait(timeout=timeout), b"".join(chunks).decode("utf-8", "replace")


@unittest.skipUnless(JAR.exists() or os.environ.get("DR_CLI"), f"{JAR} not built")
class ProgressTest(unittest.TestCase):

    def setUp(self):
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="dr-progress-test-"))
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("DR_PROGRESS")}
        self.env["DR_PASSWORD"] = "correct horse"
        self.data = self.work / "orders"
        self.data.mkdir()
        for i in range(40):
            (self.data / f"part-{i:02}.bin").write_bytes(os.urandom(100_000))
        self.repo = str(self.work / "repo")
        subprocess.run(shlex.split(DR) + ["init", "--repo", self.repo], env=self.env, check=True,
                       capture_output=True)

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)

    def dr_tty(self, *words, **env):
        return on_terminal(shlex.split(DR) + list(words), {**self.env, **env})

    def bars(self, output, operation):
        return [m for m in BAR.finditer(output) if m.group("op") == operation]

    def test_repository_commands_draw_a_bar_on_a_terminal(self):
        code, out = self.dr_tty("backup", "--repo", self.repo, str(self.data))
        self.assertEqual(code, 0, out)
        bars = self.bars(out, "backup")
        self.assertTrue(bars, out)
        self.assertEqual(bars[-1].group("pct"), "100")
        self.assertEqual(bars[-1].group("files"), "40")
        self.assertEqual(bars[-1].group("bytes"), "3.8 MiB")
        self.assertIn("\r", out, "the bar is redrawn in place")

        code, out = self.dr_tty("restore", "--repo", self.repo, "latest", "--target", str(self.work / "restored"))
        self.assertEqual(code, 0, out)
        self.assertEqual(self.bars(out, "restore")[-1].group("pct"), "100", out)
        self.assertIn("restore [########################] 100% 3.8 MiB/3.8 MiB 40/40 files", out)

        code, out = self.dr_tty("verify", "--repo", self.repo, "--read-data")
        self.assertEqual(code, 0, out)
        self.assertEqual(self.bars(out, "verify")[-1].group("pct"), "100", out)

        code, out = self.dr_tty("copy", "--repo", self.repo, "--to", str(self.work / "copy"), "--init")
        self.assertEqual(code, 0, out)
        self.assertIn("1/1 snapshot ", self.bars(out, "copy")[-1].group(0), out)

        for i in range(20):
            (self.data / f"part-{i:02}.bin").write_bytes(os.urandom(100_000))
        subprocess.run(shlex.split(DR) + ["backup", "--repo", self.repo, str(self.data)], env=self.env, check=True,
                       capture_output=True)
        subprocess.run(shlex.split(DR) + ["forget", "--repo", self.repo, "--keep-last", "1"], env=self.env,
                       check=True, capture_output=True)
        code, out = self.dr_tty("prune", "--repo", self.repo)
        self.assertEqual(code, 0, out)
        self.assertTrue(self.bars(out, "prune"), out)

    def test_json_output_is_unchanged_on_a_terminal(self):
        code, out = self.dr_tty("backup", "--repo", self.repo, str(self.data), "--json")
        self.assertEqual(code, 0, out)
        self.assertFalse(BAR.search(out), out)
        result = json.loads(out)
        self.assertEqual(result["filesNew"], 40)

    def test_through_a_pipe_plain_lines_come_every_interval(self):
        done = subprocess.run(shlex.split(DR) + ["backup", "--repo", self.repo, str(self.data)],
                              env={**self.env, "DR_PROGRESS_INTERVAL": "0.001"}, capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertNotIn("\r", done.stderr)
        self.assertRegex(done.stderr, r"(?m)^backup: \d+%, [\d.]+ \S+ of [\d.]+ \S+, \d+ of \d+ files, [\d.]+ \S+/s, "
                                      r"ETA \S+")
        self.assertRegex(done.stderr, r"(?m)^backup: 100%, 3.8 MiB of 3.8 MiB, 40 of 40 files, .* \(done in .*\)$")

        quiet = subprocess.run(shlex.split(DR) + ["verify", "--repo", self.repo], env=self.env, capture_output=True,
                               text=True)
        self.assertEqual(quiet.returncode, 0, quiet.stderr)
        self.assertEqual(quiet.stderr, "", "a command shorter than the interval prints no progress")

        bad = subprocess.run(shlex.split(DR) + ["verify", "--repo", self.repo], env={**self.env, "DR_PROGRESS": "fancy"},
                             capture_output=True, text=True)
        self.assertEqual(bad.returncode, 0, "a display preference never stops a command")
        self.assertIn("DR_PROGRESS='fancy' is not one of bar, lines or off", bad.stderr)

    def test_a_plan_run_draws_its_bar_between_its_step_lines(self):
        plan = self.work / "plan.yaml"
        plan.write_text("name: checks\nobjectives: {rto: 5m, rpo: 5m}\nsteps:\n"
                        "  - {name: first, kind: verify-command, run: [sh, -c, 'exit 0']}\n"
                        "  - {name: second, kind: verify-command, run: [sh, -c, 'exit 0'], dependsOn: first}\n")
        code, out = self.dr_tty("plan", "run", "--file", str(plan), "--drill")
        self.assertEqual(code, 0, out)
        self.assertRegex(out, r"plan +\[#{12}\.{12}\]  50% first SUCCEEDED, ETA")
        self.assertRegex(out, r"plan +\[#{24}\] 100% \(plan\) FINISHED, ETA")
        self.assertIn("\r\x1b[K", out, "the bar is cleared before each step's line")
        self.assertIn("execution ", out)


if __name__ == "__main__":
    unittest.main()
