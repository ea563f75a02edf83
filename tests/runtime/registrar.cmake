# Registrar and usrloc (issue 14): the logic and the SQLite store as unit tests, then
# samples/registrar.cfg and Kamailio's default kamailio.cfg over real sockets, with the
# real kamailio as the oracle when it is installed.
add_executable(runtime_registrar_tests registrar_test.cpp)
target_include_directories(runtime_registrar_tests PRIVATE ${PROJECT_SOURCE_DIR}/runtime/src/core
                                                           ${PROJECT_SOURCE_DIR}/runtime/src/modules)
target_link_libraries(runtime_registrar_tests PRIVATE kamc_runtime GTest::gtest GTest::gtest_main)
target_compile_definitions(runtime_registrar_tests PRIVATE
  KAMC_KAMAILIO_SQLITE_SCHEMA="/usr/share/kamailio/db_sqlite")
gtest_discover_tests(runtime_registrar_tests TEST_PREFIX "runtime.registrar." DISCOVERY_TIMEOUT 30)

find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND AND TARGET kamc-cg)
  find_program(KAMC_KAMAILIO_ORACLE kamailio PATHS /usr/sbin /usr/local/sbin)
  set(oracle_args)
  if(KAMC_KAMAILIO_ORACLE)
    set(oracle_args --kamailio ${KAMC_KAMAILIO_ORACLE})
  endif()
  set(KAMC_REGISTRAR_CASES register_cycle fork expiry write_through_crash write_back_flush db_only_two_nodes
      default_config path_topology opensips_flags ulc db_failure)
  # The server databases: each case starts its own MariaDB/PostgreSQL
  # (integration/dbservers.py); .ci/install-deps.sh installs them.
  list(APPEND KAMC_REGISTRAR_CASES mysql_two_nodes postgres_two_nodes mysql_fault postgres_fault
       check_without_database)
  if(KAMC_KAMAILIO_ORACLE)
    list(APPEND KAMC_REGISTRAR_CASES kamailio_database mysql_kamailio_database postgres_kamailio_database)
  endif()
  foreach(case IN LISTS KAMC_REGISTRAR_CASES)
    add_test(NAME runtime.registrar.${case}
      COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/registrar_integration.py ${case}
              --kamc $<TARGET_FILE:kamc> ${oracle_args})
    set_tests_properties(runtime.registrar.${case} PROPERTIES TIMEOUT 300 LABELS "runtime;registrar")
  endforeach()
endif()
