// sh: the shell.  Runs command lines of this grammar:
//
//   line     := pipeline { (';' | '&') pipeline } [ ';' | '&' ]
//   pipeline := command [ '|' pipeline ]
//   command  := ( '(' line ')' | word ) { word | redir }
//   redir    := ( '<' | '>' | '>>' ) word
//
// A word may contain '...' or "..." quoted parts.  The only built-in is cd.
// The line is parsed into a tree of struct cmd; child processes run the tree.

#include <sys/fcntl.h>
#include "user/user.h"
#include "kernel/param.h"

#define MAXCMDS 64    // tree nodes per line
#define MAXLINE 512

enum { EXEC = 1, REDIR, PIPE, LIST, BACK };

struct cmd {
  int type;
  char *argv[MAXARG+1];   // EXEC: the words, null-terminated
  struct cmd *left;        // REDIR, BACK: the command; PIPE, LIST: the first part
  struct cmd *right;       // PIPE, LIST: the second part
  char *file;              // REDIR: the file
  int mode;                // REDIR: open() flags
  int fd;                  // REDIR: the descriptor it replaces
  int append;              // REDIR: >> (start writing at the end of the file)
  int paren;               // in parentheses: runs in a subshell, cd and all
};

// The current line's tree and words live in these static pools, reset per line,
// so that parsing never allocates and a syntax error leaks nothing.
static struct cmd cmds[MAXCMDS];
static int ncmds;
static char words[MAXLINE*2];
static int nwords;

static char *s;          // parse position in the line
static int parseerr;

static void runcmd(struct cmd *c) __attribute__((noreturn));
static void runline(struct cmd *c);
static struct cmd *parseline(void);

static void
panic(char *msg)
{
  fprintf(2, "sh: %s\n", msg);
  exit(1);
}

static int
fork1(void)
{
  int pid = fork();

  if(pid < 0)
    panic("fork failed");
  return pid;
}

static void
syntax(char *msg)
{
  if(!parseerr)
    fprintf(2, "sh: syntax error: %s\n", msg);
  parseerr = 1;
}

static struct cmd*
newcmd(int type)
{
  struct cmd *c;

  if(ncmds == MAXCMDS){
    syntax("line too complex");
    ncmds = 0;   // keep going on a recycled node; the line will not run
  }
  c = &cmds[ncmds++];
  memset(c, 0, sizeof(*c));
  c->type = type;
  return c;
}

static int
isspace(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v';
}

static int
issym(char c)
{
  return c != '\0' && strchr("<>|&;()", c) != 0;
}

// Skip blanks; return the next character without consuming it.
static int
peek(void)
{
  while(isspace(*s))
    s++;
  return *s;
}

// Consume a word at s (its quotes removed) and return a copy of it in words[].
static char*
getword(void)
{
  char *w = &words[nwords], q;

  peek();
  if(*s == '\0' || issym(*s))
    return 0;
  while(*s != '\0' && !isspace(*s) && !issym(*s)){
    if(*s == '"' || *s == '\''){
      q = *s++;
      while(*s != '\0' && *s != q)
        words[nwords++] = *s++;
      if(*s != q)
        syntax("unmatched quote");
      else
        s++;
    } else
      words[nwords++] = *s++;
  }
  words[nwords++] = '\0';
  return w;
}

// Parse redirections after a command, wrapping it in a REDIR node for each.
static struct cmd*
parseredirs(struct cmd *c)
{
  struct cmd *r;
  int tok;

  while((tok = peek()) == '<' || tok == '>'){
    s++;
    r = newcmd(REDIR);
    r->left = c;
    if(tok == '<'){
      r->mode = O_RDONLY;
      r->fd = 0;
    } else if(*s == '>'){
      s++;
      r->mode = O_RDWR|O_CREATE;
      r->fd = 1;
      r->append = 1;
    } else {
      r->mode = O_WRONLY|O_CREATE|O_TRUNC;
      r->fd = 1;
    }
    if((r->file = getword()) == 0)
      syntax("missing file for redirection");
    c = r;
  }
  return c;
}

static struct cmd*
parsecommand(void)
{
  struct cmd *c, *e;
  char *w;
  int argc = 0;

  if(peek() == '('){
    s++;
    c = parseline();
    c->paren = 1;
    if(peek() != ')')
      syntax("missing )");
    else
      s++;
    return parseredirs(c);
  }
  e = newcmd(EXEC);
  c = e;
  for(;;){
    c = parseredirs(c);
    if((w = getword()) == 0)
      break;
    if(argc == MAXARG){
      syntax("too many arguments");
      break;
    }
    e->argv[argc++] = w;
  }
  if(argc == 0)
    syntax("missing command");
  return c;
}

static struct cmd*
parsepipeline(void)
{
  struct cmd *c, *p;

  c = parsecommand();
  if(peek() == '|'){
    s++;
    p = newcmd(PIPE);
    p->left = c;
    p->right = parsepipeline();
    c = p;
  }
  return c;
}

// A list is right-recursive: "a; b & c" is LIST(a, LIST(BACK(b), c)), so that
// & puts only the pipeline before it in the background.
static struct cmd*
parseline(void)
{
  struct cmd *c, *l;

  c = parsepipeline();
  if(peek() == '&'){
    s++;
    l = newcmd(BACK);
    l->left = c;
    c = l;
  } else if(*s == ';')
    s++;
  else
    return c;
  // A trailing ; or & ends the line (or the parenthesised list).
  if(peek() == '\0' || *s == ')')
    return c;
  l = newcmd(LIST);
  l->left = c;
  l->right = parseline();
  return l;
}

// Parse a whole line; 0 if it is empty or wrong (already reported).
static struct cmd*
parse(char *line)
{
  struct cmd *c;

  s = line;
  ncmds = nwords = parseerr = 0;
  if(peek() == '\0')
    return 0;
  c = parseline();
  if(peek() != '\0')
    syntax("unexpected character");
  return parseerr ? 0 : c;
}

// Move fd's offset to the end of its file.  There is no lseek, so read to the end;
// only for a regular file, since reading a device could block or consume input.
static void
seekend(int fd)
{
  static char buf[512];
  struct stat st;

  if(fstat(fd, &st) == 0 && st.type == T_FILE)
    while(read(fd, buf, sizeof(buf)) > 0)
      ;
}

// cd changes the directory of the process that runs it: the shell itself for a
// top-level cd (see runline), else a subshell.
static void
cd(struct cmd *c)
{
  if(c->argv[1] == 0 || c->argv[2] != 0)
    fprintf(2, "usage: cd dir\n");
  else if(chdir(c->argv[1]) < 0)
    fprintf(2, "cannot cd %s\n", c->argv[1]);
}

// Exec argv[0]; a bare name not found here is tried in /, where the programs are,
// so that they run from any directory.  Returns only on failure.
static void
execpath(char **argv)
{
  char path[MAXPATH];

  exec(argv[0], argv);
  if(strchr(argv[0], '/') == 0 && strlen(argv[0]) + 2 <= sizeof(path)){
    path[0] = '/';
    strcpy(path + 1, argv[0]);
    exec(path, argv);
  }
}

// Run c in this process; never returns.
static void
runcmd(struct cmd *c)
{
  int p[2];

  switch(c->type){
  case EXEC:
    if(strcmp(c->argv[0], "cd") == 0){
      cd(c);   // alone in a pipeline or background job: no lasting effect
      break;
    }
    execpath(c->argv);
    fprintf(2, "exec %s failed\n", c->argv[0]);
    exit(1);

  case REDIR:
    close(c->fd);
    if(open(c->file, c->mode) < 0){
      fprintf(2, "open %s failed\n", c->file);
      exit(1);
    }
    if(c->append)
      seekend(c->fd);
    runcmd(c->left);

  case PIPE:
    if(pipe(p) < 0)
      panic("pipe failed");
    if(fork1() == 0){
      close(1);
      dup(p[1]);
      close(p[0]);
      close(p[1]);
      runcmd(c->left);
    }
    if(fork1() == 0){
      close(0);
      dup(p[0]);
      close(p[0]);
      close(p[1]);
      runcmd(c->right);
    }
    close(p[0]);
    close(p[1]);
    wait(0);
    wait(0);
    break;

  case LIST:
    runline(c->left);
    runline(c->right);
    break;

  case BACK:
    // The child is left for init to reap when this process exits.
    if(fork1() == 0)
      runcmd(c->left);
    break;
  }
  exit(0);
}

static int
getcmd(char *buf, int nbuf)
{
  write(2, "$ ", 2);
  memset(buf, 0, nbuf);
  gets(buf, nbuf);
  if(buf[0] == 0)
    return -1;  // end of input
  return 0;
}

// Run a list: its parts one after another, each in a child, except that cd runs
// in this process so that it lasts ("cd d; ls").  The shell runs each line so;
// a subshell runs its parenthesised list so.
static void
runline(struct cmd *c)
{
  if(c->type == LIST && !c->paren){
    runline(c->left);
    runline(c->right);
  } else if(c->type == EXEC && strcmp(c->argv[0], "cd") == 0){
    cd(c);
  } else {
    if(fork1() == 0)
      runcmd(c);
    wait(0);
  }
}

int
main(void)
{
  static char buf[MAXLINE];
  struct cmd *c;
  int fd;

  // Make sure fds 0, 1 and 2 are open, on the console if nothing else.
  while((fd = open("console", O_RDWR)) >= 0){
    if(fd >= 3){
      close(fd);
      break;
    }
  }

  while(getcmd(buf, sizeof(buf)) >= 0)
    if((c = parse(buf)) != 0)
      runline(c);
  exit(0);
}
