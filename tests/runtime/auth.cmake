# auth and auth_db (issue 20): digests, credentials and nonces as unit tests, then a
# config on SQLite over real sockets under kamc run, kamc -o and, as the oracle, the
# real kamailio.
add_executable(runtime_auth_tests auth_test.cpp)
target_include_directories(runtime_auth_tests PRIVATE ${PROJECT_SOURCE_DIR}/runtime/src/core
                                                       ${PROJECT_SOURCE_DIR}/runtime/src/modules)
target_link_libraries(runtime_auth_tests PRIVATE kamc_runtime GTest::gtest GTest::gtest_main)
gtest_discover_tests(runtime_auth_tests TEST_PREFIX "runtime.auth." DISCOVERY_TIMEOUT 30)

find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND AND TARGET kamc-cg)
  find_program(KAMC_KAMAILIO_ORACLE kamailio PATHS /usr/sbin /usr/local/sbin)
  set(oracle_args)
  if(KAMC_KAMAILIO_ORACLE)
    set(oracle_args --kamailio ${KAMC_KAMAILIO_ORACLE})
  endif()
  foreach(case IN ITEMS oracle_transcript sha256 one_time_nonce nonce_count auth_checks realm_prefix hostile_credentials database_down)
    add_test(NAME runtime.auth.${case}
      COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/auth_integration.py ${case}
              --kamc $<TARGET_FILE:kamc> ${oracle_args})
    set_tests_properties(runtime.auth.${case} PROPERTIES TIMEOUT 300 LABELS "runtime;auth")
  endforeach()
endif()
