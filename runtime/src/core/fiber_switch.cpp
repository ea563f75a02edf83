#include "fiber_switch.h"

#include <cstdint>
#include <cstring>

namespace kamc::runtime {

#if defined(__x86_64__)

// kamc_fiber_swap(void** save, void* load): pushes rbp, rbx, r12-r15 and the SSE and x87
// control words (callee-saved in the System V ABI), stores rsp in *save, loads `load`
// and pops the same from there. kamc_fiber_start is where a fresh stack's first swap
// returns to: r12 holds the argument and r13 the entry (see prepare()).
asm(R"(
  .text
  .p2align 4
  .globl kamc_fiber_swap
  .type kamc_fiber_swap, @function
kamc_fiber_swap:
  .cfi_startproc
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $8, %rsp
  stmxcsr (%rsp)
  fnstcw 4(%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  ldmxcsr (%rsp)
  fldcw 4(%rsp)
  addq $8, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .cfi_endproc
  .size kamc_fiber_swap, .-kamc_fiber_swap

  .p2align 4
  .type kamc_fiber_start, @function
kamc_fiber_start:
  .cfi_startproc
  .cfi_undefined rip
  movq %r12, %rdi
  callq *%r13
  ud2
  .cfi_endproc
  .size kamc_fiber_start, .-kamc_fiber_start
)");

extern "C" void kamc_fiber_swap(void** save, void* load);
extern "C" void kamc_fiber_start();

void FiberSwitch::prepare(void* stack, std::size_t size, Entry entry, void* argument) {
  auto top = (reinterpret_cast<std::uintptr_t>(stack) + size) & ~std::uintptr_t{15};
  // The frame kamc_fiber_swap pops: control words, r15, r14, r13, r12, rbx, rbp, and the
  // return address, placed so that kamc_fiber_start runs with rsp 16-byte aligned.
  auto* frame = reinterpret_cast<std::uint64_t*>(top - 80);
  std::uint32_t mxcsr = 0x1F80;    // the ABI's initial SSE state
  std::uint16_t x87_control = 0x037F;
  std::memcpy(&frame[0], &mxcsr, sizeof mxcsr);
  std::memcpy(reinterpret_cast<char*>(&frame[0]) + 4, &x87_control, sizeof x87_control);
  frame[1] = 0;                                              // r15
  frame[2] = 0;                                              // r14
  frame[3] = reinterpret_cast<std::uint64_t>(entry);         // r13
  frame[4] = reinterpret_cast<std::uint64_t>(argument);      // r12
  frame[5] = 0;                                              // rbx
  frame[6] = 0;                                              // rbp
  frame[7] = reinterpret_cast<std::uint64_t>(&kamc_fiber_start);
  stack_pointer_ = frame;
}

void FiberSwitch::swap(FiberSwitch& from, FiberSwitch& to) { kamc_fiber_swap(&from.stack_pointer_, to.stack_pointer_); }

#else

void FiberSwitch::ucontext_entry(unsigned entry_low, unsigned entry_high, unsigned argument_low,
                                 unsigned argument_high) {
  auto join = [](unsigned low, unsigned high) {
    return static_cast<std::uintptr_t>(low) | (static_cast<std::uintptr_t>(high) << 32);
  };
  auto entry = reinterpret_cast<Entry>(join(entry_low, entry_high));
  entry(reinterpret_cast<void*>(join(argument_low, argument_high)));
}

void FiberSwitch::prepare(void* stack, std::size_t size, Entry entry, void* argument) {
  getcontext(&context_);
  context_.uc_stack.ss_sp = stack;
  context_.uc_stack.ss_size = size;
  context_.uc_link = nullptr;
  auto e = reinterpret_cast<std::uintptr_t>(entry);
  auto a = reinterpret_cast<std::uintptr_t>(argument);
  makecontext(&context_, reinterpret_cast<void (*)()>(&FiberSwitch::ucontext_entry), 4,
              static_cast<unsigned>(e & 0xffffffffu), static_cast<unsigned>(e >> 32),
              static_cast<unsigned>(a & 0xffffffffu), static_cast<unsigned>(a >> 32));
}

void FiberSwitch::swap(FiberSwitch& from, FiberSwitch& to) { swapcontext(&from.context_, &to.context_); }

#endif

}  // namespace kamc::runtime
