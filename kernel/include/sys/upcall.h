// Upcalls (lab 6): a process registers a function that another process sharing its
// vmspace (or the process itself) can make it run, as a signal runs a handler.
//
//   id = upc_register(&upc, ctxfunc, func, data)
//   upc_control(UPC_CONTROL_DISPATCH, id, (void *)priority)
//
// On its next return to user mode, the registering process saves the context it was
// in on its user stack (struct upcall_frame, <machine/upcall.h>) and calls
// ctxfunc(func, data, frame), which calls func(data) and then
// upc_control(UPC_CONTROL_NEXT, -1, frame): that runs the next pending upcall, or
// resumes the saved context.
#ifndef _SYS_UPCALL_H_
#define _SYS_UPCALL_H_

// One per process, in its own memory; upc_register tells the kernel where. The
// kernel reads both fields on each delivery and writes upc_pending.
struct upcall {
  int upc_critcount;   // the process's critical count: an upcall whose priority is at
                       // or below it waits (the process raises and lowers it itself)
  int upc_pending;     // 1 while an upcall runs: set by the kernel as it enters
                       // ctxfunc, cleared by UPC_CONTROL_NEXT as it resumes
};

// upc_control commands.
#define UPC_CONTROL_DISPATCH     1  // id's process runs it: data is the priority, >= 1
#define UPC_CONTROL_NEXT         2  // from ctxfunc: data is the frame; never returns
                                    // unless the frame is bad
#define UPC_CONTROL_DELETE       3  // unregister one of the caller's ids (-1: all)
#define UPC_CONTROL_POLL         4  // the priority pending on one of the caller's ids
                                    // (-1: the highest of them), 0 if none
#define UPC_CONTROL_POLLANDCLEAR 5  // the same, and no longer pending
#define UPC_CONTROL_WAIT         6  // sleep until one of the caller's ids (-1: any)
                                    // is pending

#define UPC_RESERVED   32   // ids below this are never given out: the first is 32
#define UPCALL_MAXCOUNT 32  // registrations per vmspace; one more is EFBIG

#endif
