// A use after free in a host test: the freed item's words are its zone's poison
// (vm_zone.c), so the fault that follows names the zone. Under ASan the faulting
// address is lost (the sanitizer's shadow check faults first, with #GP on x86-64),
// so the signal's register state is searched for poison too.
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "test.h"
#include "vm/vm_zone.h"

static struct sigaction previous;

static void
say(const char *s)
{
  if (write(2, s, strlen(s)) < 0)
    return;
}

// The zone whose poison v is: said once per zone.
static const char *
note(uint64 v, const char *said)
{
  const char *name = zone_poison_name(v);
  if (name == 0 || name == said)
    return said;
  say("vmtest: the fault touched poisoned memory of zone ");
  say(name);
  say(": use after free?\n");
  return name;
}

static void
on_segv(int sig, siginfo_t *si, void *ctx)
{
  const char *said = note((uint64)si->si_addr, 0);
  const ucontext_t *uc = ctx;
  const uint64 *w = (const uint64 *)&uc->uc_mcontext;

  (void)sig;
  for (size_t i = 0; i < sizeof(uc->uc_mcontext) / sizeof(uint64); i++)
    said = note(w[i], said);
  // Returning runs the faulting instruction again, into the previous handler.
  sigaction(SIGSEGV, &previous, 0);
}

void
fault_note_install(void)
{
  struct sigaction sa;

  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, &previous);
}
