// Force-included (-include) into the ANTLR translation units of the clang fuzz build.
// The 4.9 runtime's InterpreterData default-constructs a dfa::Vocabulary whose const
// vector members have no initializer, which clang rejects (gcc lets it pass). Giving
// the members empty initializers changes neither layout nor behaviour.
#pragma once
#define _literalNames _literalNames{}
#define _symbolicNames _symbolicNames{}
#define _displayNames _displayNames{}
#include <antlr4-runtime/Vocabulary.h>
#undef _literalNames
#undef _symbolicNames
#undef _displayNames
