"""Tests of scripts/backup_manager.py against the real dr command line (dr-cli/target/dr.jar).

Run by ./test.sh after the Maven build; alone: python3 -m unittest discover -s scripts/tests
"""

import json
import os
import pathlib
import shlex
import subprocess
import sys
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "backup_manager.py"
JAR = ROOT / "dr-cli" / "target" / "dr.jar"
DR = os.environ.get("DR_CLI") or f"java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar {shlex.quote(str(JAR))}"


def metrics_of(path):
    values = {}
    for line in pathlib.Path(path).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, value = line.split(" ")
            values[name] = float(value)
    return values


@unittest.skipUnless(JAR.exists() or os.environ.get("DR_CLI"), f"{JAR} not built")
class BackupManagerTest(unittest.TestCase):

    def setUp(self):
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="backup-manager-test-"))
        self.source = self.work / "orders"
        (self.source / "ledger").mkdir(parents=True)
        (self.source / "ledger" / "2026-12.csv").write_text("id,amount\n1,10\n2,20\n")
        (self.source / "state.json").write_bytes(os.urandom(70_000))
        self.repo = self.work / "repo"
        self.password = self.work / "password"
        self.password.write_text("correct horse\n")
        self.metrics = self.work / "dr.prom"
        self.dr("init")

    def tearDown(self):
        subprocess.run(["rm", "-rf", str(self.work)], check=False)

    def dr(self, *words):
        argv = shlex.split(DR) + list(words) + ["--repo", str(self.repo), "--password-file", str(self.password)]
        return subprocess.run(argv, capture_output=True, text=True, check=True)

    def manager(self, *words):
        argv = [sys.executable, str(SCRIPT), *words, "--dr", DR]
        return subprocess.run(argv, capture_output=True, text=True, check=False)

    def common(self):
        return ["--repo", str(self.repo), "--password-file", str(self.password), "--textfile", str(self.metrics)]

    def test_a_run_backs_up_retains_verifies_and_restore_tests(self):
        for _ in range(3):
            done = self.manager("run", *self.common(), "--source", str(self.source),
                                "--keep-last", "2", "--verify-subset", "1", "--restore-test")
            self.assertEqual(done.returncode, 0, done.stderr)
            (self.source / "state.json").write_bytes(os.urandom(1_000))

        snapshots = json.loads(self.dr("snapshots", "--json").stdout)
        self.assertEqual(len(snapshots), 2, "keep-last 2 leaves two snapshots")
        values = metrics_of(self.metrics)
        self.assertEqual(values["dr_backup_manager_success"], 1)
        self.assertEqual(values["dr_backup_manager_restore_test_success"], 1)
        self.assertEqual(values["dr_backup_manager_verify_success"], 1)
        self.assertEqual(values["dr_backup_manager_snapshots"], 2)
        self.assertEqual(values["dr_backup_manager_retention_removed_snapshots"], 1)
        self.assertGreater(values["dr_backup_manager_verify_packs_read"], 0)
        self.assertIn("restore test: snapshot", done.stdout)

    def test_a_backup_that_left_out_an_unreadable_file_exits_4_after_every_other_step(self):
        secret = self.source / "secret.key"
        secret.write_text("not for backup tools\n")
        secret.chmod(0)
        prefix = []
        if os.geteuid() == 0:
            # Root reads mode 000; without the capabilities that let it, it is refused as any owner.
            prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
            try:
                probe = subprocess.run(prefix + ["cat", str(secret)], capture_output=True, check=False)
            except OSError:
                self.skipTest("setpriv is missing")
            if probe.returncode == 0:
                self.skipTest("setpriv cannot drop the capabilities that ignore file modes")
        done = subprocess.run([sys.executable, str(SCRIPT), "run", *self.common(), "--source", str(self.source),
                               "--keep-last", "2", "--verify-subset", "1", "--restore-test",
                               "--dr", shlex.join(prefix) + " " + DR if prefix else DR],
                              capture_output=True, text=True, check=False)
        self.assertEqual(done.returncode, 4, done.stderr)
        self.assertIn("backup left out 1 entries it could not read", done.stderr)
        self.assertIn("restore test: snapshot", done.stdout)
        values = metrics_of(self.metrics)
        self.assertEqual(values["dr_backup_manager_backup_unreadable_entries"], 1)
        self.assertEqual(values["dr_backup_manager_exit_code"], 4)
        self.assertEqual(values["dr_backup_manager_success"], 0)
        self.assertEqual(values["dr_backup_manager_restore_test_success"], 1)
        self.assertEqual(values["dr_backup_manager_verify_success"], 1)

    def test_damage_found_by_verify_exits_3_and_is_reported_in_the_metrics(self):
        self.assertEqual(self.manager("backup", *self.common(), "--source", str(self.source)).returncode, 0)
        packs = [p for p in (self.repo / "data.d").rglob("*") if p.is_file()]
        self.assertTrue(packs)
        for pack in packs:
            data = bytearray(pack.read_bytes())
            data[len(data) // 2] ^= 0x40
            pack.write_bytes(bytes(data))

        done = self.manager("verify", *self.common(), "--verify-subset", "1")

        self.assertEqual(done.returncode, 3, done.stderr)
        self.assertIn("verify failed (dr exit 3)", done.stderr)
        values = metrics_of(self.metrics)
        self.assertEqual(values["dr_backup_manager_success"], 0)
        self.assertEqual(values["dr_backup_manager_exit_code"], 3)
        self.assertEqual(values["dr_backup_manager_verify_success"], 0)

    def test_a_restore_test_of_a_damaged_repository_fails(self):
        self.assertEqual(self.manager("backup", *self.common(), "--source", str(self.source)).returncode, 0)
        for pack in (p for p in (self.repo / "data.d").rglob("*") if p.is_file()):
            pack.write_bytes(pack.read_bytes()[:100])

        done = self.manager("restore-test", *self.common())

        self.assertNotEqual(done.returncode, 0)
        self.assertIn("restore_test failed", done.stderr)
        self.assertEqual(metrics_of(self.metrics)["dr_backup_manager_success"], 0)

    def test_a_wrong_password_is_a_configuration_error(self):
        wrong = self.work / "wrong"
        wrong.write_text("not it\n")
        done = self.manager("verify", "--repo", str(self.repo), "--password-file", str(wrong))
        self.assertEqual(done.returncode, 2, done.stderr)

    def test_a_missing_source_fails_the_run_and_names_the_path(self):
        missing = self.work / "no-such-dir"
        done = self.manager("backup", *self.common(), "--source", str(missing))
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("no-such-dir", done.stderr)
        self.assertEqual(metrics_of(self.metrics)["dr_backup_manager_success"], 0)

    def test_settings_come_from_a_config_file_and_flags_win(self):
        config = self.work / "manager.json"
        config.write_text(json.dumps({"repo": str(self.repo), "password-file": str(self.password),
                                      "source": str(self.source), "keep-last": 1}))
        self.assertEqual(self.manager("run", "--config", str(config)).returncode, 0)
        self.assertEqual(self.manager("run", "--config", str(config), "--keep-last", "5").returncode, 0)
        self.assertEqual(len(json.loads(self.dr("snapshots", "--json").stdout)), 2)


class BackupManagerUsageTest(unittest.TestCase):
    """Errors found before dr runs: exit 2, naming the flag or key."""

    def manager(self, *words):
        return subprocess.run([sys.executable, str(SCRIPT), *words, "--dr", "false"],
                              capture_output=True, text=True, check=False)

    def test_a_missing_repo_is_named(self):
        done = self.manager("verify")
        self.assertEqual(done.returncode, 2)
        self.assertIn("--repo is required", done.stderr)

    def test_an_unknown_config_key_is_named(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"repo": "/tmp/r", "keep-dayly": 7}, f)
        try:
            done = self.manager("run", "--config", f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual(done.returncode, 2)
        self.assertIn("unknown key 'keep-dayly'", done.stderr)

    def test_a_config_file_that_is_not_json_is_named_with_its_line(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            f.write('{\n "repo": /tmp/r\n}')
        try:
            done = self.manager("run", "--config", f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual(done.returncode, 2)
        self.assertIn("not JSON: line 2", done.stderr)

    def test_an_out_of_range_subset_is_named(self):
        done = self.manager("verify", "--repo", "/tmp/r", "--verify-subset", "1.5")
        self.assertEqual(done.returncode, 2)
        self.assertIn("--verify-subset must be in (0, 1], but was 1.5", done.stderr)

    def test_an_unknown_command_is_a_usage_error(self):
        self.assertEqual(self.manager("explode", "--repo", "/tmp/r").returncode, 2)


if __name__ == "__main__":
    unittest.main()
