"""GitHub Classroom's autograding for one lab's branch of the student repo: the
workflow that `make student-repo` writes into each branch as
.github/workflows/classroom.yml (tools/handout.py calls workflow()).

On every push, GitHub runs it on an Ubuntu runner: the doctor installs the
toolchain (as `make test` would), then each task of the lab's handout is one test
of GitHub Classroom's command grader, `make grade LAB=name TASK=k` on both ports,
worth the task's points in `make grade`, all or nothing (the command grader
scores a command by its exit status); the checks of no task are one test more.
GitHub Classroom's reporter adds them up, so the lab's total is `make grade`'s.

    classroom.py workflow --lab NAME     print the lab's workflow
    classroom.py run [--tree DIR]        run a tree's workflow here, step by step,
                                         as GitHub would, and print the score
"""

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import course
from course import ARCHES, PYTHON, Error

WORKFLOW = ".github/workflows/classroom.yml"
TASK_HEADING = re.compile(r"^### (\d+)\. (.+)$", re.M)
TIMEOUT_MINUTES = 30      # per test: a lab's task grades in 1 to 3 minutes on a runner


def task_points(root, lab):
    """{task: points} of lab's graders over every machine `make grade` boots (task 0:
    the checks of no task), from pytest --list-points."""
    p = subprocess.run([PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--list-points",
                        *lab.graders, "--arch", " ".join(ARCHES)], cwd=root,
                       capture_output=True, text=True)
    points = {int(m[1]): int(m[2]) for m in re.finditer(r"^task (\d+) (\d+)$", p.stdout, re.M)}
    if not points:
        raise Error(f"lab {lab.name}: pytest --list-points said nothing:\n"
                    f"{p.stdout[-2000:]}{p.stderr[-2000:]}")
    return points


def task_titles(root, lab):
    """{task: its heading} from lab's handout ("### 2. Exec from the snapshot")."""
    text = (Path(root) / lab.handout).read_text()
    return {int(m[1]): m[2].replace("`", "").strip() for m in TASK_HEADING.finditer(text)}


def q(s):
    """s as a YAML string (JSON's quoting is YAML's too)."""
    return json.dumps(s)


def workflow(root, lab):
    """The text of lab's .github/workflows/classroom.yml."""
    points, titles = task_points(root, lab), task_titles(root, lab)
    tests = []
    for task in sorted(points):
        name = (f"task {task}: {titles.get(task, '(no title)')}" if task else
                "the checks of no task")
        cmd = f"make grade LAB={lab.name}" + (f" TASK={task}" if task else " TASK=0")
        tests.append((f"task{task}", name, cmd, points[task]))
    lines = [
        f"# GitHub Classroom's autograding of lab {lab.number} ({lab.name}), written by",
        "# the course's make student-repo: each task of the handout is a test worth its",
        "# points in `make grade`, all or nothing; the reporter adds them up. Run the same",
        "# commands yourself: `make grade LAB=name TASK=k`.",
        "name: Autograding Tests",
        "'on': [push, repository_dispatch]",
        "permissions:",
        "  checks: write",
        "  actions: read",
        "  contents: read",
        "jobs:",
        "  run-autograding-tests:",
        "    runs-on: ubuntu-latest",
        "    if: github.actor != 'github-classroom[bot]'",
        "    steps:",
        "    - name: Checkout code",
        "      uses: actions/checkout@v4",
        "    - name: Install the toolchain (the README's doctor)",
        "      run: " + " && ".join(f"tools/doctor.sh --install --test {a}" for a in ARCHES),
        "    - name: Build every kernel",
        "      run: " + " && ".join(f"make -s build ARCH={a} && make -s build ARCH={a} DEBUG=1"
                                  for a in ARCHES),
    ]
    for sid, name, cmd, pts in tests:
        lines += [
            f"    - name: {q(name)}",
            f"      id: {sid}",
            "      uses: classroom-resources/autograding-command-grader@v1",
            "      with:",
            f"        test-name: {q(name)}",
            "        setup-command: ''",
            f"        command: {q(cmd)}",
            f"        timeout: {TIMEOUT_MINUTES}",
            f"        max-score: {pts}",
        ]
    lines += [
        "    - name: Autograding Reporter",
        "      uses: classroom-resources/autograding-grading-reporter@v1",
        "      env:",
        *[f"        {sid.upper()}_RESULTS: \"${{{{steps.{sid}.outputs.result}}}}\""
          for sid, *_ in tests],
        "      with:",
        f"        runners: {','.join(sid for sid, *_ in tests)}",
    ]
    return "\n".join(lines) + "\n"


def run(tree):
    """Run tree's workflow in tree, as GitHub's runner would: each step's `run`, and
    each command grader's `command` (its max-score if it exits 0, else 0).  Prints
    a line per step and the total; returns (score, max score), or raises Error if
    a step that is not a grader fails."""
    import yaml                    # python3-yaml: the reference's tests only
    doc = yaml.safe_load((Path(tree) / WORKFLOW).read_text())
    got = total = 0
    for step in doc["jobs"]["run-autograding-tests"]["steps"]:
        w = step.get("with", {})
        if "run" in step:
            print(f"classroom: {step['name']}: {step['run']}", flush=True)
            if subprocess.run(step["run"], shell=True, cwd=tree).returncode:
                raise Error(f"step {step['name']!r} failed")
        elif step.get("uses", "").startswith("classroom-resources/autograding-command-grader"):
            ok = subprocess.run(w["command"], shell=True, cwd=tree, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL,
                                timeout=60 * w["timeout"]).returncode == 0
            got, total = got + (w["max-score"] if ok else 0), total + w["max-score"]
            print(f"classroom: {w['test-name']}: {w['command']}: "
                  f"{w['max-score'] if ok else 0}/{w['max-score']}", flush=True)
    print(f"classroom: {got}/{total}")
    return got, total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("workflow", help="print a lab's workflow")
    s.add_argument("--lab", required=True)
    s = sub.add_parser("run", help="run a tree's workflow, and print its score")
    s.add_argument("--tree", type=Path, default=Path("."))
    args = ap.parse_args()
    try:
        if args.cmd == "workflow":
            man = course.load_manifest()
            sys.stdout.write(workflow(course.ROOT, man.lab(args.lab)))
        else:
            run(args.tree)
    except Error as e:
        print(f"classroom.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
