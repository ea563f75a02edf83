"""The real Kamailio 5.6 as the oracle for cfgcheck, shared by the corpus
classification (syntax_classify.py) and the mutation test (mutation_test.py).

- installable_copy(): a copy of a corpus folder whose loadmodule paths name
  installed modules by their bare name ("tm.so"), lines unmoved. kamc judges
  what a config means, not where a machine keeps its modules, so kamailio
  must be asked the same question.
- kamailio_check(): `kamailio -c`, which stops after parsing.
- startup(), startup_fixup_failure(): module fixups (format strings, route
  names of route(X)...) run only at start-up; this starts kamailio in the
  foreground on a free loopback port for a few seconds and returns the error
  if a fixup failed. Evidence that a config -c accepts is nonetheless broken.
- cfgcheck_errors(): cfgcheck's error findings.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile

MODULES = "/usr/lib/x86_64-linux-gnu/kamailio/modules"
STARTUP_SECONDS = 10  # a loaded CI machine can take several seconds to reach the fixups
# "..., line 8, column 5: syntax error", or for an error spanning lines
# "..., from line 1, column 1 to line 2, column 0: syntax error".
PARSE_ERROR = re.compile(r"parse error in config file .*?, (?:from )?line (\d+), column [^:]*: (.*)$")
KAMC_ERROR = re.compile(r"^(.*?):(\d+):(\d+): error: (.*) \[(kamc-[a-z-]+)\]$")
MODULE_MISSING = re.compile(r"could not (find|open) module")
LOADMODULE = re.compile(r'(\bloadmodule\s*)"([^"$]*)"')


def kamailio_binary():
    path = shutil.which("kamailio") or "/usr/sbin/kamailio"
    return path if os.path.exists(path) else None


def installed_module_paths(text):
    """loadmodule "any/path/tm.so" -> loadmodule "tm.so" for installed modules."""
    def bare(m):
        base = os.path.basename(m.group(2))
        name = base[:-3] if base.endswith(".so") else base
        if os.path.exists(os.path.join(MODULES, name + ".so")):
            return '%s"%s.so"' % (m.group(1), name)
        return m.group(0)
    return LOADMODULE.sub(bare, text)


def installable_copy(corpus, into):
    dest = os.path.join(into, os.path.basename(corpus.rstrip("/")))
    shutil.copytree(corpus, dest)
    for root, _, files in os.walk(dest):
        for f in files:
            path = os.path.join(root, f)
            with open(path, encoding="latin-1") as fh:
                text = fh.read()
            fixed = installed_module_paths(text)
            if fixed != text:
                with open(path, "w", encoding="latin-1") as fh:
                    fh.write(fixed)
    return dest


class KamailioResult:
    def __init__(self, returncode, output):
        self.accepted = returncode == 0
        self.output = output
        self.module_dependent = bool(MODULE_MISSING.search(output))
        self.errors = [re.sub(r"^\s*\d+\(\d+\) ", "", l) for l in output.splitlines()
                       if " ERROR:" in l or " CRITICAL:" in l]

    def syntax_error_line(self):
        lines = [int(m.group(1)) for m in map(PARSE_ERROR.search, self.output.splitlines())
                 if m and "syntax error" in m.group(2)]
        return min(lines) if lines else None

    def unbalanced_directives(self):
        """#!ifdef/#!endif counts differ: kamailio fails with a count, no line."""
        return "pp_ifdef_level_error" in self.output

    def stopped_before_parsing(self):
        return "cannot open included file" in self.output or "ERROR: bad config file" not in self.output


def define_args(defines):
    """-A NAME for each define, as both kamailio and cfgcheck take them."""
    return [arg for d in defines for arg in ("-A", d)]


def kamailio_check(kamailio, path, defines=()):
    cwd, name = os.path.split(path)
    p = subprocess.run([kamailio, "-c", "-L", MODULES, *define_args(defines), "-f", name], cwd=cwd,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    return KamailioResult(p.returncode, p.stdout.decode(errors="replace"))


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def startup(kamailio, path, defines=()):
    """Starts kamailio in the foreground on a free loopback port for a few
    seconds. Returns (outcome, line): "fixup-failed" with the fixup's
    complaint, "init-failed" when it stopped earlier (a module could not
    initialise, e.g. no database), or "running"."""
    cwd, name = os.path.split(path)
    with tempfile.TemporaryDirectory(prefix="kamc-run-") as run:
        cmd = [kamailio, "-f", name, "-L", MODULES, *define_args(defines), "-DD", "-E", "-n", "1", "-Y", run,
               "-w", run, "-l", "udp:127.0.0.1:%d" % free_udp_port()]
        p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             start_new_session=True)
        try:
            out, _ = p.communicate(timeout=STARTUP_SECONDS)
            exited = True
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, _ = p.communicate()
            exited = False
    out = out.decode(errors="replace")
    errors = [re.sub(r"^\s*\d+\(\d+\) ", "", l) for l in out.splitlines() if " ERROR:" in l]
    if "fixing failed" in out:
        # The fixup's own complaint names the cause; "fixing failed" only the line.
        causes = [l for l in errors if re.search(r"pv_parse|fix_param|fixup|Cannot convert|not found", l)]
        return "fixup-failed", (causes or errors or ["fixing failed"])[0]
    if exited:
        return "init-failed", (errors or ["exited"])[0]
    return "running", ""


def startup_fixup_failure(kamailio, path, defines=()):
    """The fixup error if kamailio refuses to start because a fixup failed."""
    outcome, line = startup(kamailio, path, defines)
    return line if outcome == "fixup-failed" else None


def cfgcheck_errors(cfgcheck, path, defines=()):
    """(exit code, [(rule, file basename, line, message)])"""
    cwd, name = os.path.split(path)
    p = subprocess.run([cfgcheck, "--color=never", *define_args(defines), name], cwd=cwd,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    errors = []
    for line in p.stderr.decode(errors="replace").splitlines():
        m = KAMC_ERROR.match(line)
        if m:
            errors.append((m.group(5), os.path.basename(m.group(1)), int(m.group(2)), m.group(4)))
    return p.returncode, errors
