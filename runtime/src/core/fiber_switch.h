// The stack switch under message fibers. On x86-64 it is a few instructions that save
// the callee-saved registers and the stack pointer: glibc's swapcontext also saves and
// restores the signal mask, a system call on every switch (eight per authenticated
// REGISTER), which message fibers never need. Elsewhere it is ucontext.
#pragma once

#include <cstddef>

#if !defined(__x86_64__)
#include <ucontext.h>
#endif

namespace kamc::runtime {

class FiberSwitch {
 public:
  using Entry = void (*)(void* argument);

  // Makes this the context of a fresh stack that starts in entry(argument). entry must
  // never return: its last act is a switch away.
  void prepare(void* stack, std::size_t size, Entry entry, void* argument);
  // Saves the running context into `from` and continues in `to`.
  static void swap(FiberSwitch& from, FiberSwitch& to);

 private:
#if defined(__x86_64__)
  void* stack_pointer_ = nullptr;
#else
  static void ucontext_entry(unsigned entry_low, unsigned entry_high, unsigned argument_low, unsigned argument_high);
  ucontext_t context_{};
#endif
};

}  // namespace kamc::runtime
