"""The installable distribution dr-cli/target/dr-<version>.tar.gz, unpacked and used as a user would."""

import json
import pathlib
import subprocess
import tarfile
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
TARBALLS = sorted((ROOT / "dr-cli" / "target").glob("dr-*.tar.gz"))


@unittest.skipUnless(TARBALLS, "dr-cli/target/dr-<version>.tar.gz not built")
class DistributionTest(unittest.TestCase):

    def setUp(self):
        self.prefix = pathlib.Path(tempfile.mkdtemp(prefix="dr-dist-"))
        with tarfile.open(TARBALLS[-1]) as tar:
            tar.extractall(self.prefix, filter="tar")
        (self.home,) = list(self.prefix.iterdir())

    def tearDown(self):
        subprocess.run(["rm", "-rf", str(self.prefix)], check=False)

    def test_bin_dr_runs_from_a_symlink_on_the_path(self):
        bin_dir = self.prefix / "bin"
        bin_dir.mkdir()
        (bin_dir / "dr").symlink_to(self.home / "bin" / "dr")
        done = subprocess.run([str(bin_dir / "dr"), "--version"], capture_output=True, text=True, check=False)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn(self.home.name.removeprefix("dr-"), done.stdout)

    def test_the_bash_completion_completes_subcommands(self):
        completion = self.home / "share" / "bash-completion" / "completions" / "dr"
        script = (f"source {completion}; COMP_WORDS=(dr ba); COMP_CWORD=1; COMP_LINE='dr ba'; "
                  f"COMP_POINT=5; _complete_dr; echo \"${{COMPREPLY[@]}}\"")
        done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=False)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("backup", done.stdout.split())

    def test_man_pages_are_shipped_for_the_commands(self):
        man = self.home / "share" / "man" / "man1"
        self.assertTrue((man / "dr.1").is_file())
        self.assertTrue((man / "dr-restore.1").is_file())
        self.assertIn(".SH OPTIONS", (man / "dr-restore.1").read_text())

    def test_an_sbom_lists_what_the_jar_bundles(self):
        sbom = json.loads((self.home / "share" / "doc" / "dr" / "dr-sbom.json").read_text())
        self.assertEqual(sbom["bomFormat"], "CycloneDX")
        names = {c["name"] for c in sbom["components"]}
        self.assertTrue({"picocli", "dr-core", "dr-storage-s3", "dr-storage-azure", "zstd-jni"} <= names, names)
        self.assertFalse({"junit-jupiter-api", "assertj-core", "s3proxy"} & names, "no test dependency")


if __name__ == "__main__":
    unittest.main()
