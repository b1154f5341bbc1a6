"""GitHub Classroom's workflow (tools/classroom.py), which make student-repo puts in
every branch: for every lab, a test per task worth the task's points and one for
the checks of no task, together the lab's whole score, each running `make grade
LAB=name TASK=k`, all added up by the reporter; and `classroom.py run`, which runs
a tree's workflow as GitHub would and scores it."""

import subprocess

import yaml

import classroom
import course
import tasks
from conftest import PYTHON, ROOT

MAN = course.load_manifest(ROOT)
GRADER = "classroom-resources/autograding-command-grader@v1"
REPORTER = "classroom-resources/autograding-grading-reporter@v1"


def steps(text):
    return yaml.safe_load(text)["jobs"]["run-autograding-tests"]["steps"]


def test_each_lab_graded_task_by_task():
    for lab in MAN.available():
        wf = steps(classroom.workflow(ROOT, lab))
        graders = [s for s in wf if s.get("uses") == GRADER]
        # A test per task that has checks, and one for the checks of no task.
        checks = tasks.grader_tests(ROOT, lab)
        want = sorted({t.task for t in checks})
        assert [s["with"]["command"] for s in graders] == \
            [f"make grade LAB={lab.name} TASK={k}" for k in want], lab.name
        # Each worth something; their names say which task of the handout.
        assert all(s["with"]["max-score"] > 0 for s in graders), graders
        assert [s["with"]["test-name"].split(":")[0] for s in graders] == \
            [f"task {k}" if k else "the checks of no task" for k in want]
        # The toolchain before them, the reporter after, naming each one.
        assert "tools/doctor.sh --install --test riscv64" in wf[1]["run"], wf[1]
        reporter = wf[-1]
        assert reporter["uses"] == REPORTER
        ids = [s["id"] for s in graders]
        assert reporter["with"]["runners"] == ",".join(ids)
        assert reporter["env"] == {f"{i.upper()}_RESULTS": f"${{{{steps.{i}.outputs.result}}}}"
                                   for i in ids}


WORKFLOW = """\
jobs:
  run-autograding-tests:
    steps:
    - name: Checkout code
      uses: actions/checkout@v4
    - name: Set up
      run: echo ready > ready
    - name: "passes"
      id: a
      uses: classroom-resources/autograding-command-grader@v1
      with: {test-name: "passes", setup-command: '', command: "test -e ready", timeout: 1, max-score: 3}
    - name: "fails"
      id: b
      uses: classroom-resources/autograding-command-grader@v1
      with: {test-name: "fails", setup-command: '', command: "exit 2", timeout: 1, max-score: 5}
"""


def test_run_scores_like_the_command_grader(tmp_path):
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / classroom.WORKFLOW).write_text(WORKFLOW)
    p = subprocess.run([PYTHON, str(ROOT / "tools" / "classroom.py"), "run", "--tree",
                        str(tmp_path)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "classroom: passes: test -e ready: 3/3\n" in p.stdout, p.stdout
    assert "classroom: fails: exit 2: 0/5\n" in p.stdout, p.stdout
    assert p.stdout.endswith("classroom: 3/8\n"), p.stdout
    # A step that is no grader must work: its failure stops the run.
    (tmp_path / classroom.WORKFLOW).write_text(WORKFLOW.replace("echo ready > ready", "exit 1"))
    p = subprocess.run([PYTHON, str(ROOT / "tools" / "classroom.py"), "run", "--tree",
                        str(tmp_path)], capture_output=True, text=True)
    assert p.returncode == 1 and "step 'Set up' failed" in p.stderr, p.stderr
