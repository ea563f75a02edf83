# Run with cmake -P after ANTLR generation, once per generated recognizer.
# ANTLR 4.7.2's C++ target deserializes the ATN in a static initializer, so
# every kamc command would pay ~2 ms at start-up, even kamc -E which never
# parses. This moves that work into the recognizer's constructor, behind a
# function-local static (initialized once, thread-safe).
# It also turns off the deserializer's self-check of the ATN (a third of the
# start-up cost): the serialized ATN comes from the ANTLR tool in this same
# build, and every parse test would fail on a broken one.
# Inputs: FILE (the generated .cpp), CLASS (KamailioLexer or KamailioParser).
file(READ "${FILE}" text)
set(eager "${CLASS}::Initializer ${CLASS}::_init;")
string(FIND "${text}" "${eager}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "LazyAtnInit: '${eager}' not found in ${FILE}; the ANTLR version changed?")
endif()
string(REPLACE "${eager}" "// ${CLASS}::_init moved into the constructor (LazyAtnInit.cmake)." text "${text}")
string(REGEX REPLACE "(${CLASS}::${CLASS}\\([A-Za-z]+ \\*input\\) : [A-Za-z]+\\(input\\) {)"
       "\\1\n  static Initializer lazyInit;" text "${text}")
string(FIND "${text}" "static Initializer lazyInit;" done)
if(done EQUAL -1)
  message(FATAL_ERROR "LazyAtnInit: constructor of ${CLASS} not found in ${FILE}")
endif()
set(checked "atn::ATNDeserializer deserializer;")
string(FIND "${text}" "${checked}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "LazyAtnInit: '${checked}' not found in ${FILE}; the ANTLR version changed?")
endif()
string(REPLACE "${checked}"
       "atn::ATNDeserializationOptions unverified;\n  unverified.setVerifyATN(false);\n  atn::ATNDeserializer deserializer(unverified);"
       text "${text}")
file(WRITE "${FILE}" "${text}")
