// restest: resident executables (lab 7), with reschild as the program made
// resident: exec_sys_register's and exec_sys_unregister's errors; what
// resident_list shows; every exec starting from the snapshot, its set-up intact
// and its own arguments, never seeing another run's writes; a file written,
// truncated, unlinked or replaced losing its registration; ids never given twice;
// many execs in a row; fork and exec from a resident program; execs while another
// process drops and makes registrations.
//
//   restest            run every test, then check that no page leaked
//   restest NAME...    run only the named tests
//
// Each test runs in a child and prints "restest NAME: OK" or "restest NAME:
// FAILED: ..."; the last line is "restest: ALL OK" or "restest: N FAILED". Every
// test drops all registrations at its end, and so does the driver after each test,
// so that one that failed half-way leaves none to the next.

#define VMTEST_PROG "restest"
#include "vmtest.h"

#define NELEM(x) (sizeof(x) / sizeof((x)[0]))

// reschild's exit statuses (see reschild.c).
#define FROM_SNAPSHOT 0
#define FRESH 2
#define EXISTS 17

// Run the program argv[0] with argv in a child: its exit status.
static int
spawn(char **argv)
{
  int pid = xfork(), st = -1;

  if(pid == 0){
    exec(argv[0], argv);
    printf("restest %s: FAILED: exec %s (errno %s)\n", test, argv[0], errname(errno));
    exit(99);
  }
  check("wait", wait(&st) == pid);
  return st;
}

static int
reschild(char *prog, char *cmd)
{
  char *argv[] = { prog, cmd, 0 };

  return spawn(argv);
}

static char args[8][200];

// reschild run with n arguments "arg0" ... (the last one long).
static int
run(char *prog, int n)
{
  char *argv[12] = { prog, "run", "0" };

  argv[2] = n == 0 ? "0" : n == 3 ? "3" : "7";
  for(int i = 0; i < n; i++){
    strcpy(args[i], "arg0");
    args[i][3] = '0' + i;
    if(i == n - 1)
      memset(args[i] + 4, 'z', 150);
    argv[3 + i] = args[i];
  }
  argv[3 + n] = 0;
  return spawn(argv);
}

static struct kinfo_resident kr[8];

// The registrations now: how many, with kr[] filled.
static int
list(void)
{
  int n = resident_list(kr, NELEM(kr));

  check("resident_list", n >= 0);
  return n;
}

static void
drop_all(void)
{
  exec_sys_unregister(-2);
  expect("registrations left", list(), 0);
}

// Copy the file from to to (a new file), as the program it is.
static void
copy(char *from, char *to)
{
  static char buf[4096];
  int in = open(from, O_RDONLY), out = open(to, O_CREATE | O_WRONLY | O_TRUNC), n;

  check("open for the copy", in >= 0 && out >= 0);
  while((n = read(in, buf, sizeof(buf))) > 0)
    check("write of the copy", write(out, buf, n) == n);
  close(in);
  close(out);
}

// ---------------------------------------------------------------- errors

static void
errors(void)
{
  experr("exec_sys_unregister(-3)", exec_sys_unregister(-3), EINVAL);
  experr("exec_sys_unregister(999999)", exec_sys_unregister(999999), ENOENT);
  experr("exec_sys_unregister(-1), nothing resident", exec_sys_unregister(-1), ENOENT);
  experr("exec_sys_unregister(-2), nothing resident", exec_sys_unregister(-2), ENOENT);
  experr("exec_sys_register of a kernel address",
        exec_sys_register((void (*)(int, char **))0xffffffff80000000UL), EINVAL);
  expect("resident_list, nothing resident", list(), 0);
  expect("reschild register", reschild("reschild", "register"), FROM_SNAPSHOT);
  experr("resident_list into a kernel address",
        resident_list((struct kinfo_resident *)0xffffffff80000000UL, 1), EFAULT);
  expect("resident_list of 0 entries", resident_list(0, 0), 1);
  drop_all();
}

// ---------------------------------------------------------------- register

// One registration, listed with its path and size; registering the same file
// again is EEXIST; another file is another registration, listed after it.
static void
register_(void)
{
  expect("reschild register", reschild("reschild", "register"), 0);
  expect("registrations", list(), 1);
  check("its id", kr[0].kr_id >= 1);
  check("its path", strcmp(kr[0].kr_path, "reschild") == 0);
  check("its size (the 1 MiB table and more)", kr[0].kr_size > (1 << 20));
  expect("its execs", kr[0].kr_execs, 0);
  expect("reschild register, resident already", reschild("reschild", "register"), EXISTS);
  expect("registrations after", list(), 1);
  copy("reschild", "rc1");
  expect("rc1 register", reschild("rc1", "register"), 0);
  expect("registrations with rc1", list(), 2);
  check("oldest first: reschild, then rc1",
        strcmp(kr[0].kr_path, "reschild") == 0 && strcmp(kr[1].kr_path, "rc1") == 0);
  check("rc1's id, higher", kr[1].kr_id > kr[0].kr_id);
  drop_all();
  unlink("rc1");
}

// ---------------------------------------------------------------- snapshot

// Each run starts from the snapshot: the set-up intact though the run before
// spoiled its own copy, and what the registering process did after the snapshot
// (the counter to 999) not in it; the run's own arguments (0, 3 and 7 of them).
static void
snapshot(void)
{
  expect("reschild register", reschild("reschild", "register"), 0);
  expect("run with 3 arguments", run("reschild", 3), FROM_SNAPSHOT);
  expect("run with 0 arguments", run("reschild", 0), FROM_SNAPSHOT);
  expect("run with 7 arguments", run("reschild", 7), FROM_SNAPSHOT);
  expect("run with 3 arguments again", run("reschild", 3), FROM_SNAPSHOT);
  list();
  expect("execs counted", kr[0].kr_execs, 4);
  drop_all();
  expect("a run once dropped", run("reschild", 3), FRESH);
}

// ---------------------------------------------------------------- file changes

// A write to the file, a truncation, an unlink, a new file under the name: each
// drops the registration, and the next exec runs the file.
static void
file_change(void)
{
  char c;
  int fd;

  copy("reschild", "rc2");
  expect("rc2 register", reschild("rc2", "register"), 0);
  expect("rc2 run", run("rc2", 3), FROM_SNAPSHOT);
  fd = open("rc2", O_RDWR);
  check("open rc2", fd >= 0 && read(fd, &c, 1) == 1);
  close(fd);
  fd = open("rc2", O_RDWR);
  check("rewrite rc2's first byte, unchanged", fd >= 0 && write(fd, &c, 1) == 1);
  close(fd);
  expect("rc2 run after the write", run("rc2", 3), FRESH);
  expect("registrations after the write", list(), 0);

  expect("rc2 register again", reschild("rc2", "register"), 0);
  copy("reschild", "rc2");      // O_TRUNC, then the same bytes
  expect("rc2 run after a truncation", run("rc2", 3), FRESH);

  expect("rc2 register again", reschild("rc2", "register"), 0);
  expect("unlink rc2", unlink("rc2"), 0);
  expect("registrations after the unlink", list(), 0);
  copy("reschild", "rc2");
  expect("a new rc2 run", run("rc2", 3), FRESH);
  expect("unlink the new rc2", unlink("rc2"), 0);
  drop_all();
}

// ---------------------------------------------------------------- unregister

// By id (then ENOENT), ids never given twice, -1 from the program itself (its own
// file's only), -2 all.
static void
unregister(void)
{
  expect("reschild register", reschild("reschild", "register"), 0);
  list();
  int id = kr[0].kr_id;
  expect("exec_sys_unregister(id)", exec_sys_unregister(id), 1);
  experr("exec_sys_unregister(id) again", exec_sys_unregister(id), ENOENT);
  expect("registrations after", list(), 0);
  expect("run after", run("reschild", 3), FRESH);
  expect("reschild register again", reschild("reschild", "register"), 0);
  list();
  check("a new id, higher", kr[0].kr_id > id);
  copy("reschild", "rc3");
  expect("rc3 register", reschild("rc3", "register"), 0);
  expect("reschild unregister (-1, from reschild)", reschild("reschild", "unregister"), 0);
  expect("registrations after -1", list(), 1);
  check("rc3's left", strcmp(kr[0].kr_path, "rc3") == 0);
  expect("run after -1", run("reschild", 3), FRESH);
  expect("reschild register", reschild("reschild", "register"), 0);
  expect("registrations", list(), 2);
  expect("exec_sys_unregister(-2)", exec_sys_unregister(-2), 2);
  expect("registrations after -2", list(), 0);
  unlink("rc3");
}

// ---------------------------------------------------------------- many, forkexec

// Many execs in a row from one snapshot, each with its own copy: afterwards, with
// the registration dropped, every page is free again.
static void
many(void)
{
  // A round first: the pages of kr[] and args[], and the pages the kernel's zones
  // take for a run's structures and keep, come out of memory before the count.
  expect("reschild register (first round)", reschild("reschild", "register"), 0);
  for(int i = 0; i < 5; i++)
    expect("a run (first round)", run("reschild", 7), FROM_SNAPSHOT);
  drop_all();
  struct memsnap m0;
  memsnap(&m0);

  expect("reschild register", reschild("reschild", "register"), 0);
  for(int i = 0; i < 40; i++)
    expect("a run", run("reschild", i % 2 ? 3 : 7), FROM_SNAPSHOT);
  list();
  expect("execs counted", kr[0].kr_execs, 40);
  drop_all();
  expect_memsnap("free pages after", &m0);
}

// A resident program forks, and its child execs another program.
static void
forkexec(void)
{
  expect("reschild register", reschild("reschild", "register"), 0);
  expect("reschild forkexec", reschild("reschild", "forkexec"), 0);
  expect("reschild forkexec again", reschild("reschild", "forkexec"), 0);
  drop_all();
}

// ---------------------------------------------------------------- race

// Execs of reschild in one child while another drops and makes its registration
// over and over: each run starts from a snapshot or fresh, whole. (The first
// run, before the other child starts, is from the snapshot.)
static void
race(void)
{
  int go[2], st, bad = 0;

  check("pipe", pipe(go) == 0);
  expect("reschild register", reschild("reschild", "register"), 0);
  if(xfork() == 0){
    close(go[0]);
    expect("the first run", run("reschild", 3), FROM_SNAPSHOT);
    write(go[1], "g", 1);
    close(go[1]);
    for(int i = 0; i < 30; i++){
      st = run("reschild", 3);
      if(st != FROM_SNAPSHOT && st != FRESH){
        printf("restest race: FAILED: run %d exited %d\n", i, st);
        exit(1);
      }
    }
    exit(0);
  }
  close(go[1]);
  if(xfork() == 0){
    char c;
    if(read(go[0], &c, 1) != 1)   // the first run failed: nothing to race with
      exit(0);
    for(int i = 0; i < 30; i++){
      st = reschild("reschild", "register");
      check("reschild register", st == 0 || st == EXISTS);
      exec_sys_unregister(-2);
    }
    exit(0);
  }
  close(go[0]);
  // Both children, whichever failed: neither may run on into the next test.
  for(int i = 0; i < 2; i++){
    check("wait", wait(&st) > 0);
    if(!exited_with(st, 0))
      bad = st;
  }
  if(bad && !exited_with(bad, 1))
    printf("restest race: FAILED: a child exited with status %d\n", bad);
  if(bad)
    exit(1);
  drop_all();
}

// ---------------------------------------------------------------- driver

static const struct vmtest tests[] = {
  { "errors", errors },
  { "register", register_ },
  { "snapshot", snapshot },
  { "file_change", file_change },
  { "unregister", unregister },
  { "many", many },
  { "forkexec", forkexec },
  { "race", race },
};

// Test i, then no registration left whatever it did.
static int
run1(int i)
{
  int ok = vmtest_run(tests[i].name, tests[i].fn);

  exec_sys_unregister(-2);
  return ok;
}

static int
runall(int argc, char *argv[])
{
  return vmtest_select(argc, argv, tests, NELEM(tests), run1);
}

int
main(int argc, char *argv[])
{
  // From none: what an earlier program (primes -r, say) left resident goes first,
  // before the free pages are counted.
  exec_sys_unregister(-2);
  vmtest_finish("restest", "restest [test...]", argc, argv, runall);
}
