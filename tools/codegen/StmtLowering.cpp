// Statements of a route block: Kamailio's control flow with its return codes.
#include "Lowering.h"
#include "kamc/ast/ExprType.h"

namespace kamc::codegen {

namespace {
// Kamailio's default max_while_loops: a while that runs more often stops with an error.
constexpr int kMaxWhileLoops = 100;

}  // namespace

RouteLowering::RouteLowering(ModuleLowering& m, llvm::Function* fn)
    : m_(m), fn_(fn), b_(m.ctx), entryBuilder_(m.ctx), msg_(fn->getArg(0)) {
  llvm::BasicBlock* entry = llvm::BasicBlock::Create(m.ctx, "entry", fn);
  entryBuilder_.SetInsertPoint(entry);
  b_.SetInsertPoint(entry);
  last_ = entryAlloca(m.abi.i32, "last");
  b_.CreateStore(intValue(1), last_);
  failed_ = entryAlloca(b_.getInt1Ty(), "failed");
  b_.CreateStore(b_.getFalse(), failed_);
  exitBlock_ = llvm::BasicBlock::Create(m.ctx, "exit", fn);
  llvm::IRBuilder<> exitBuilder(exitBlock_);
  exitBuilder.CreateRet(exitBuilder.getInt32(0));
}

void RouteLowering::lowerBody(const ast::Block& body) {
  lowerStatement(body);
  if (!terminated()) b_.CreateRet(b_.CreateLoad(m_.abi.i32, last_));
}

// Allocas at the top of the entry block, where mem2reg turns them into registers.
llvm::Value* RouteLowering::entryAlloca(llvm::Type* type, const char* name) {
  llvm::BasicBlock& entry = fn_->getEntryBlock();
  entryBuilder_.SetInsertPoint(&entry, entry.begin());
  return entryBuilder_.CreateAlloca(type, nullptr, name);
}

llvm::BasicBlock* RouteLowering::newBlock(const char* name) { return llvm::BasicBlock::Create(m_.ctx, name, fn_); }

bool RouteLowering::terminated() const { return b_.GetInsertBlock()->getTerminator() != nullptr; }

void RouteLowering::continueInDeadBlock() { b_.SetInsertPoint(newBlock("dead")); }

void RouteLowering::leaveIfExit(llvm::Value* code) {
  llvm::BasicBlock* next = newBlock("go_on");
  b_.CreateCondBr(b_.CreateICmpEQ(code, intValue(0)), exitBlock_, next);
  b_.SetInsertPoint(next);
}

// Every slot the statement takes is free again after it; the slots taken
// before it (an enclosing statement's) stay taken.
void RouteLowering::lowerStatement(const ast::Statement& s) {
  size_t slotsBefore = slotsInUse_;
  lowerStatementWithOwnSlots(s);
  slotsInUse_ = slotsBefore;
}

void RouteLowering::lowerStatementWithOwnSlots(const ast::Statement& s) {
  using ast::StmtKind;
  switch (s.kind) {
    case StmtKind::Block:
      for (const ast::StmtPtr& child : static_cast<const ast::Block&>(s).body) {
        lowerStatement(*child);
        if (terminated()) continueInDeadBlock();
      }
      break;
    case StmtKind::If: lowerIf(static_cast<const ast::IfStmt&>(s)); break;
    case StmtKind::Switch: lowerSwitch(static_cast<const ast::SwitchStmt&>(s)); break;
    case StmtKind::While: lowerWhile(static_cast<const ast::WhileStmt&>(s)); break;
    case StmtKind::Return:
    case StmtKind::Exit:
    case StmtKind::Drop: lowerExit(static_cast<const ast::ExitStmt&>(s)); break;
    case StmtKind::Break: lowerBreak(s); break;
    case StmtKind::Assign: {
      const auto& a = static_cast<const ast::AssignStmt&>(s);
      lowerAssign(*a.target, *a.value);
      break;
    }
    case StmtKind::Call: b_.CreateStore(lowerCallCode(*static_cast<const ast::CallStmt&>(s).call), last_); break;
    case StmtKind::Empty: break;
  }
}

// if: the code is 1 unless the branch taken sets another (Kamailio's IF_T).
void RouteLowering::lowerIf(const ast::IfStmt& s) {
  llvm::Value* condition = lowerStatementCondition(*s.condition);
  b_.CreateStore(intValue(1), last_);
  llvm::BasicBlock* thenBlock = newBlock("then");
  llvm::BasicBlock* elseBlock = s.elseBranch ? newBlock("else") : nullptr;
  llvm::BasicBlock* done = newBlock("endif");
  b_.CreateCondBr(condition, thenBlock, elseBlock ? elseBlock : done);
  b_.SetInsertPoint(thenBlock);
  lowerStatement(*s.thenBranch);
  if (!terminated()) b_.CreateBr(done);
  if (elseBlock) {
    b_.SetInsertPoint(elseBlock);
    lowerStatement(*s.elseBranch);
    if (!terminated()) b_.CreateBr(done);
  }
  b_.SetInsertPoint(done);
}

// switch: Kamailio compares the value as an int when the labels are integers
// (SWITCH_JT_T), else as a string against string labels and regex labels in
// order, the first that matches wins (MATCH_COND_T). Labels are constants,
// evaluated once (fix_switch, fix_match). Cases fall through until break.
void RouteLowering::lowerSwitch(const ast::SwitchStmt& s) {
  enum class LabelKind { Int, Str, Regex };
  struct Label {
    LabelKind kind = LabelKind::Int;
    ast::ConstValue value;
  };
  std::vector<Label> labels(s.cases.size());
  bool stringCases = false;
  for (std::size_t i = 0; i < s.cases.size(); ++i) {
    const ast::SwitchCase& c = s.cases[i];
    if (!c.value) continue;
    ast::FoldResult folded = ast::foldConstant(*c.value);
    if (!folded.value) {
      m_.unsupported(*c.value, "a switch case must be a constant");
      return;
    }
    labels[i].value = *folded.value;
    labels[i].kind = c.isRegex                                    ? LabelKind::Regex
                     : folded.value->type == ast::ValueType::Str ? LabelKind::Str
                                                                  : LabelKind::Int;
    stringCases = stringCases || labels[i].kind != LabelKind::Int;
  }
  TypedValue subject = lowerValue(*s.subject);
  b_.CreateStore(intValue(1), last_);
  llvm::BasicBlock* done = newBlock("endswitch");
  std::vector<llvm::BasicBlock*> bodies;
  llvm::BasicBlock* defaultBody = done;
  for (const ast::SwitchCase& c : s.cases) {
    bodies.push_back(newBlock(c.value ? "case" : "default"));
    if (!c.value) defaultBody = bodies.back();
  }
  if (stringCases) {
    StrValue text = toStr(subject);
    for (std::size_t i = 0; i < s.cases.size(); ++i) {
      const ast::Expr* value = s.cases[i].value.get();
      if (!value) continue;
      llvm::Value* matches = nullptr;
      if (labels[i].kind == LabelKind::Regex) {
        llvm::Value* regex = b_.CreateLoad(m_.abi.ptr, m_.regexHandle(labels[i].value.asStr(), /*ignoreCase=*/false, *value));
        matches = b_.CreateICmpNE(b_.CreateCall(m_.abi.regexMatch, {regex, text.data, text.length}), intValue(0));
      } else {
        matches = strEqual(text, constantStr(labels[i].value.asStr()), false);
      }
      llvm::BasicBlock* next = newBlock("next_case");
      b_.CreateCondBr(matches, bodies[i], next);
      b_.SetInsertPoint(next);
    }
    b_.CreateBr(defaultBody);
  } else {
    llvm::SwitchInst* sw = b_.CreateSwitch(toInt(subject), defaultBody);
    std::set<int32_t> seen;
    for (std::size_t i = 0; i < s.cases.size(); ++i) {
      if (!s.cases[i].value) continue;
      int32_t n = labels[i].value.asInt();
      if (seen.insert(n).second) sw->addCase(b_.getInt32(n), bodies[i]);
    }
  }
  breakTargets_.push_back(done);
  for (std::size_t i = 0; i < s.cases.size(); ++i) {
    b_.SetInsertPoint(bodies[i]);
    for (const ast::StmtPtr& st : s.cases[i].body) {
      lowerStatement(*st);
      if (terminated()) continueInDeadBlock();
    }
    b_.CreateBr(i + 1 < bodies.size() ? bodies[i + 1] : done);  // fall through
  }
  breakTargets_.pop_back();
  b_.SetInsertPoint(done);
}

void RouteLowering::lowerWhile(const ast::WhileStmt& s) {
  llvm::Value* counter = entryAlloca(m_.abi.i32, "loops");
  b_.CreateStore(intValue(0), counter);
  b_.CreateStore(intValue(1), last_);
  llvm::BasicBlock* test = newBlock("while");
  llvm::BasicBlock* body = newBlock("while_body");
  llvm::BasicBlock* runaway = newBlock("runaway");
  llvm::BasicBlock* done = newBlock("endwhile");
  b_.CreateBr(test);
  b_.SetInsertPoint(test);
  b_.CreateCondBr(lowerStatementCondition(*s.condition), body, done);
  b_.SetInsertPoint(body);
  llvm::Value* count = b_.CreateAdd(b_.CreateLoad(m_.abi.i32, counter), intValue(1));
  b_.CreateStore(count, counter);
  llvm::BasicBlock* bodyStart = newBlock("loop");
  b_.CreateCondBr(b_.CreateICmpSGT(count, intValue(kMaxWhileLoops)), runaway, bodyStart);
  b_.SetInsertPoint(runaway);
  b_.CreateCall(m_.abi.logScriptError,
                {msg_, m_.stringConstant("runaway while: more than 100 loops (max_while_loops)"),
                 m_.stringConstant(s.loc.valid() ? m_.sm.file(s.loc.file).path : ""),
                 intValue(static_cast<int>(s.loc.line))});
  b_.CreateStore(intValue(-1), last_);
  b_.CreateBr(done);
  b_.SetInsertPoint(bodyStart);
  breakTargets_.push_back(done);
  lowerStatement(*s.body);
  breakTargets_.pop_back();
  if (!terminated()) b_.CreateBr(test);
  b_.SetInsertPoint(done);
}

// return [v], exit, drop. A route's code 0 means "stop the script", so `return 0`
// behaves like exit, as in Kamailio.
void RouteLowering::lowerExit(const ast::ExitStmt& s) {
  if (s.kind == ast::StmtKind::Return) {
    llvm::Value* code = s.value ? lowerInt(*s.value) : intValue(1);
    if (m_.tracksRetcode) b_.CreateCall(m_.abi.setRetcode, {msg_, code});
    b_.CreateRet(code);
    return;
  }
  if (s.kind == ast::StmtKind::Drop) b_.CreateCall(m_.abi.drop, {msg_});
  b_.CreateBr(exitBlock_);
}

// break leaves the innermost switch or while; outside them it ends the route.
void RouteLowering::lowerBreak(const ast::Statement&) {
  if (breakTargets_.empty()) {
    b_.CreateRet(b_.CreateLoad(m_.abi.i32, last_));
    return;
  }
  b_.CreateBr(breakTargets_.back());
}

void RouteLowering::lowerAssign(const ast::Expr& target, const ast::Expr& value) {
  if (target.kind != ast::ExprKind::PseudoVar) {
    m_.unsupported(target, "kamc can assign to pseudo-variables only, not to '" + target.text + "'");
    return;
  }
  const auto& pv = static_cast<const ast::PseudoVarExpr&>(target);
  b_.CreateStore(b_.getFalse(), failed_);
  TypedValue v = lowerValue(value);
  // A failed expression (rv div by 0) leaves the target as it was (lval_assign fails).
  llvm::BasicBlock* assign = newBlock("assign");
  llvm::BasicBlock* skip = newBlock("assign_failed");
  llvm::BasicBlock* done = newBlock("assigned");
  b_.CreateCondBr(b_.CreateLoad(b_.getInt1Ty(), failed_), skip, assign);
  b_.SetInsertPoint(skip);
  b_.CreateStore(intValue(-1), last_);
  b_.CreateBr(done);
  b_.SetInsertPoint(assign);
  llvm::Value* slot = v.slot;
  if (v.kind != ValueKind::Dynamic) {
    slot = newValueSlot();
    storeValue(slot, v);
  }
  llvm::Value* handle = b_.CreateLoad(m_.abi.ptr, m_.pvHandle(pv.pv.text, pv));
  llvm::Value* rc = b_.CreateCall(m_.abi.setPv, {msg_, handle, slot});
  b_.CreateStore(b_.CreateSelect(b_.CreateICmpEQ(rc, intValue(0)), intValue(1), intValue(-1)), last_);
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
}

}  // namespace kamc::codegen
