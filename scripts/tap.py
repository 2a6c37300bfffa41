#!/usr/bin/env python3
"""Judge a guest test run: tap.py [fast|debug]  or  tap.py TAP_LOG CONSOLE_LOG
                       or  tap.py --splats CONSOLE_LOG...

Counts the top-level TAP results of every test program in the guest output
(written by guest/run-tests), adds a failure for each program that exited
non-zero without a "not ok", ran fewer tests than its plan, or never finished,
and one for each boot that did not complete: scripts/qemu.sh check boots the
guest twice (ckpt.mode=check, then ckpt.mode=check-reboot), appending both
boots to the same logs, and each boot ends with its own "# guest complete:
mode=..." marker.  make check then runs scripts/migrate.sh --check, which
appends the program "migrate" (live migration between two guests) to the same
TAP log and its guests' kernel logs to the console log; a run without it
counts as a failure.  Every kernel splat in the console log is printed and
counts as a failure.  Each failing test is followed by the diagnostic lines
it printed (the "# " lines since its "#  RUN" line, at most DIAG_LINES), so
that a failure seen only once can be told from its log.  The last line is always
"N passed, N failed" (", N skipped" when any were skipped); the exit status is
non-zero when anything failed.

--splats only prints the kernel splats of the given console logs and exits
non-zero if there is one (scripts/migrate.sh).
"""
import os
import re
import sys

COMPLETE = re.compile(r"^# guest complete: mode=(\S+) rc=(\d+)")
# the boots of scripts/qemu.sh check, in order
BOOTS = ("check", "check-reboot")
# programs that run after the boots: scripts/migrate.sh --check
REQUIRED = ("migrate",)
START = re.compile(r"^# selftest: (\S+)")
EXIT = re.compile(r"^# exit: (\S+) (\d+)")
PLAN = re.compile(r"^1\.\.(\d+)")
RESULT = re.compile(r"^(ok|not ok) (\d+)(?: -)? ?([^#]*?)\s*(?:#\s*(.*))?$")
RUN = re.compile(r"^#\s+RUN\s")
DIAG_LINES = 30
KSFT_SKIP = 4
KILLED = 128 + 9  # guest/run-tests: timeout -s KILL

SPLAT = re.compile(
    r"BUG:|WARNING:|Oops|KASAN:|UBSAN:|possible recursive locking"
    r"|possible circular locking|inconsistent lock state|lockdep:|INFO: lockdep"
    r"|suspicious RCU usage|INFO: task|Call Trace|general protection fault"
    r"|Kernel panic|kernel BUG|refcount_t:|list_add corruption|list_del corruption"
    r"|unreferenced object")
# A report ends with its stack dump or an explicit end marker; a match inside
# an open report belongs to that report.
SPLAT_END = re.compile(r"</TASK>|---\[ end ")
SPLAT_MAX_LINES = 300
SPLAT_SHOW_LINES = 40


def parse_tap(path):
    passed = skipped = 0
    failures = []
    diags = {}
    diag = []
    complete = []
    started = set()
    current = None

    def finish(prog, rc):
        nonlocal skipped
        name, plan, results = prog["name"], prog["plan"], prog["results"]
        if rc is None:
            failures.append(f"{name}: no exit status (crashed, hung or guest died)")
        elif rc == KILLED:
            failures.append(f"{name}: killed (per-program timeout, ckpt.timeout=)")
        elif rc == KSFT_SKIP and not results:
            skipped += 1
        elif plan is not None and results < plan:
            failures.append(f"{name}: {results} of {plan} planned results")
        elif plan is None and not results:
            failures.append(f"{name}: no TAP results")
        elif rc != 0 and not prog["not_ok"]:
            failures.append(f"{name}: exit status {rc} without a failing test")

    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            m = COMPLETE.match(line)
            if m:
                complete.append(m.group(1))
                if current:
                    finish(current, None)
                    current = None
                continue
            m = START.match(line)
            if m:
                if current:
                    finish(current, None)
                current = {"name": m.group(1), "plan": None, "results": 0, "not_ok": 0}
                started.add(m.group(1))
                continue
            if current is None:
                continue
            if RUN.match(line):
                diag = []
            elif line.startswith("#"):
                diag.append(line)
            m = EXIT.match(line)
            if m:
                finish(current, int(m.group(2)))
                current = None
                continue
            m = PLAN.match(line)
            if m and current["plan"] is None:
                current["plan"] = int(m.group(1))
                continue
            m = RESULT.match(line)
            if not m:
                continue
            current["results"] += 1
            status, _, desc, directive = m.groups()
            directive = (directive or "").upper()
            if directive.startswith("SKIP"):
                skipped += 1
            elif status == "ok":
                passed += 1
            else:
                current["not_ok"] += 1
                failures.append(f"{current['name']}: {desc}")
                diags[failures[-1]] = diag[-DIAG_LINES:]
            diag = []
    if current:
        finish(current, None)
    for mode in BOOTS:
        if mode not in complete:
            failures.append(f"guest boot ckpt.mode={mode} did not complete"
                            " (kernel crash, hang or timeout)")
    for name in REQUIRED:
        if name not in started:
            failures.append(f"{name}: did not run (make check runs scripts/migrate.sh"
                            " --check after the boots)")
    return passed, skipped, failures, diags


def parse_console(path):
    splats = []
    current = None
    if not os.path.exists(path):
        return splats
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if current is not None:
                current.append(line)
                if SPLAT_END.search(line) or len(current) >= SPLAT_MAX_LINES:
                    current = None
                continue
            if SPLAT.search(line):
                current = [line]
                splats.append(current)
    return splats


def print_splats(splats, console):
    for i, splat in enumerate(splats, 1):
        print(f"tap: kernel splat {i} in {console}:")
        for line in splat[:SPLAT_SHOW_LINES]:
            print(f"    {line}")
        if len(splat) > SPLAT_SHOW_LINES:
            print(f"    ... ({len(splat) - SPLAT_SHOW_LINES} more lines)")


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--splats":
        found = 0
        for console in sys.argv[2:]:
            splats = parse_console(console)
            print_splats(splats, console)
            found += len(splats)
        return 1 if found else 0
    if len(sys.argv) == 2:
        build = os.environ.get("BUILD") or os.path.join(
            os.path.dirname(os.path.abspath(__file__)), "..", "build")
        logs = os.path.join(build, "logs")
        tap = os.path.join(logs, f"tap-{sys.argv[1]}.log")
        console = os.path.join(logs, f"console-{sys.argv[1]}.log")
    elif len(sys.argv) == 3:
        tap, console = sys.argv[1:]
    else:
        sys.exit(__doc__)
    if not os.path.exists(tap):
        sys.exit(f"tap: no {tap} (run make check)")

    passed, skipped, failures, diags = parse_tap(tap)
    splats = parse_console(console)
    print_splats(splats, console)
    for splat in splats:
        failures.append(f"kernel splat: {splat[0].strip()}")
    for name in failures:
        print(f"FAIL: {name}")
        for line in diags.get(name, ()):
            print(f"    {line}")
    failed = len(failures)
    summary = f"{passed} passed, {failed} failed"
    if skipped:
        summary += f", {skipped} skipped"
    print(summary)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
