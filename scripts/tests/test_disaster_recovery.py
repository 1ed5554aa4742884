"""Tests of scripts/disaster_recovery.sh against the real dr command line (dr-cli/target/dr.jar).

Run by ./test.sh after the Maven build; alone: python3 -m unittest discover -s scripts/tests
"""

import json
import os
import pathlib
import shlex
import shutil
import subprocess
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "disaster_recovery.sh"
JAR = ROOT / "dr-cli" / "target" / "dr.jar"
DR = os.environ.get("DR_CLI") or f"java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar {shlex.quote(str(JAR))}"
# Variables of the caller's environment that would change what the plans do.
PLAN_VARIABLES = ("DR_REPOSITORY", "DR_PASSWORD", "DR_DATA_DIR", "DR_HEALTH_CHECK", "DR_PLANS_DIR", "DR_OUT",
                  "DR_SNAPSHOT", "DR_STOP_WRITES", "DR_START_WRITES")


@unittest.skipUnless(JAR.exists() or os.environ.get("DR_CLI"), f"{JAR} not built")
class DisasterRecoveryScriptTest(unittest.TestCase):

    def setUp(self):
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="disaster-recovery-test-"))
        self.env = {k: v for k, v in os.environ.items() if k not in PLAN_VARIABLES}
        self.env["DR_CLI"] = DR
        self.env["USER"] = "alice"

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)

    def script(self, *words, cwd=None, **env):
        return subprocess.run(["bash", str(SCRIPT), *words], capture_output=True, text=True, check=False,
                              cwd=cwd or self.work, env={**self.env, **env})

    def dr(self, *words, **env):
        done = subprocess.run(shlex.split(DR) + list(words), capture_output=True, text=True, check=False,
                              env={**self.env, **env})
        self.assertEqual(done.returncode, 0, done.stderr)
        return done.stdout

    def run_dir(self, out):
        runs = sorted((out / "runs").iterdir())
        self.assertEqual(len(runs), 1, runs)
        return runs[0]

    def test_a_data_drill_on_a_fresh_clone_leaves_a_report_a_runbook_and_a_verified_audit_log(self):
        done = self.script("data", "--drill")
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)

        out = self.work / "dr-recovery"
        run = self.run_dir(out)
        report = (run / "report.md").read_text()
        self.assertIn("# Post-incident report: Drill: data fault", report)
        self.assertIn("Plan **recover-data**", report)
        self.assertIn("DRILL: SUCCEEDED", report)
        self.assertIn("RESOLVED", report)
        html = (run / "report.html").read_text()
        self.assertIn("<svg class=\"timeline\"", html)
        self.assertIn("<svg class=\"objectives\"", html)
        runbook = (run / "runbook.md").read_text()
        self.assertIn("# Runbook: recover-data", runbook)
        self.assertIn(str(out / "practice" / "repository"), runbook, "the plan's variables are filled in")
        plan_run = (run / "plan-run.md").read_text()
        self.assertIn("- Status: **SUCCEEDED**", plan_run)
        self.assertRegex(plan_run, r"\| restore \| SUCCEEDED \| 1 \|")
        self.assertIn("audit log intact", (run / "audit-verify.txt").read_text())
        self.assertIn("audit log intact", self.dr("audit", "verify", "--file", str(out / "audit.jsonl")))
        # the plan's progress is shown as it runs, each step with the share done
        self.assertRegex(done.stdout, r"\[ *[\d.]+ s +\d+%.*\] restore +PROGRESS +rehearsed restore of snapshot latest")
        self.assertIn("RTO ", done.stdout)
        # a drill changes nothing: the practice data is where it was
        self.assertTrue((out / "practice" / "data" / "orders" / "orders.csv").is_file())

        incidents = json.loads(self.dr("incident", "list", "--audit", str(out / "audit.jsonl"), "--json"))
        self.assertEqual([(i["severity"], i["faultType"], i["status"]) for i in incidents],
                         [("SEV4", "DATA", "RESOLVED")])

    def test_a_live_data_recovery_restores_the_data_and_resolves_the_incident_it_added_to(self):
        data = self.work / "srv" / "orders"
        data.mkdir(parents=True)
        (data / "ledger.csv").write_text("id,amount\n1,10\n2,20\n")
        (data / "state.bin").write_bytes(os.urandom(50_000))
        original = {p.name: p.read_bytes() for p in data.iterdir()}
        repo = self.work / "repo"
        password = {"DR_PASSWORD": "correct horse"}
        self.dr("init", "--repo", str(repo), **password)
        self.dr("backup", "--repo", str(repo), str(data), **password)
        target = self.work / "restored"
        out = self.work / "out"
        # the fault was reported before: the script adds to the open incident instead of opening another
        out.mkdir()
        self.dr("incident", "open", "--audit", str(out / "audit.jsonl"), "--title", "orders unreadable",
                "--fault", "data", "--dedup-key", "fault:data")

        done = self.script("data", "--out", str(out), "--approve", "approve", "--resolve",
                           DR_REPOSITORY=str(repo), DR_DATA_DIR=str(target),
                           DR_HEALTH_CHECK=f"test -s {shlex.quote(str(target))}/orders/ledger.csv", **password)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)

        restored = {p.name: p.read_bytes() for p in (target / "orders").iterdir()}
        self.assertEqual(restored, original)
        incidents = json.loads(self.dr("incident", "list", "--audit", str(out / "audit.jsonl"), "--json"))
        self.assertEqual(len(incidents), 1, "the open incident for data faults was reused")
        self.assertEqual(incidents[0]["status"], "RESOLVED")
        kinds = [e["kind"] for e in incidents[0]["timeline"]]
        self.assertIn("repeated", kinds)
        self.assertIn("resolved", kinds)
        report = (self.run_dir(out) / "report.md").read_text()
        self.assertIn("LIVE: SUCCEEDED", report)

    def test_a_failing_plan_exits_1_and_leaves_the_incident_open_with_a_note(self):
        plans = self.work / "plans"
        plans.mkdir()
        (plans / "network.yaml").write_text(
            "name: fail-over\nobjectives: {rto: 5m, rpo: 5m}\nsteps:\n"
            "  - {name: standby-up, kind: verify-command, run: [sh, -c, 'exit 4']}\n")
        done = self.script("network", "--plans", str(plans), "--out", str(self.work / "out"))
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertIn("plan ended with exit 1", done.stdout)
        out = self.work / "out"
        run = self.run_dir(out)
        self.assertIn("- Status: **FAILED**", (run / "plan-run.md").read_text())
        self.assertTrue((run / "report.md").is_file())
        incidents = json.loads(self.dr("incident", "list", "--audit", str(out / "audit.jsonl"), "--json"))
        self.assertEqual(incidents[0]["status"], "OPEN")
        self.assertEqual(incidents[0]["severity"], "SEV2")
        self.assertIn("did not succeed (exit 1)", incidents[0]["timeline"][-1]["text"])

    def test_bad_input_is_named_and_exits_2(self):
        done = self.script("meteor", "--drill")
        self.assertEqual(done.returncode, 2)
        self.assertIn("unknown fault class 'meteor'; known: hardware, software, network, data", done.stderr)

        plans = self.work / "plans"
        plans.mkdir()
        (plans / "data.yaml").write_text("name: x\nobjectives: {rto: 5m, rpo: 5m}\nsteps:\n"
                                         "  - {name: a, kind: reboot}\n")
        missing = self.script("hardware", "--drill", "--plans", str(plans))
        self.assertEqual(missing.returncode, 2)
        self.assertIn("no plan for 'hardware' in " + str(plans), missing.stderr)
        self.assertIn("found: data.yaml", missing.stderr)

        bad = self.script("data", "--drill", "--plans", str(plans), DR_REPOSITORY=str(self.work / "none"))
        self.assertEqual(bad.returncode, 2)
        self.assertIn("data.yaml: steps[0].kind: unknown step kind 'reboot'", bad.stderr)

        unset = self.script("data", "--drill", DR_REPOSITORY=str(self.work / "repo"))
        self.assertEqual(unset.returncode, 2)
        self.assertIn("steps[3].target: ${DR_DATA_DIR} is not set", unset.stderr)

    def test_every_shipped_plan_is_valid(self):
        env = {"DR_REPOSITORY": str(self.work / "repo"), "DR_DATA_DIR": str(self.work / "data")}
        for plan in sorted((ROOT / "scripts" / "plans").glob("*.yaml")):
            with self.subTest(plan=plan.name):
                self.assertIn("is valid", self.dr("plan", "validate", "--file", str(plan), **env))


if __name__ == "__main__":
    unittest.main()
