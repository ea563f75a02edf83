# Digest authentication on real database servers (issue 20): throwaway MariaDB and
# PostgreSQL servers (integration/dbservers.py) holding Kamailio's own schema, and
# Kamailio's default kamailio.cfg with WITH_MYSQL, WITH_AUTH and WITH_USRLOCDB on them.
find_package(Python3 COMPONENTS Interpreter)
find_program(KAMC_MARIADBD mariadbd PATHS /usr/sbin /usr/local/sbin)
file(GLOB KAMC_POSTGRES_INITDB /usr/lib/postgresql/*/bin/initdb)
set(KAMC_DBSERVER_KINDS)
if(KAMC_MARIADBD)
  list(APPEND KAMC_DBSERVER_KINDS mariadb)
endif()
if(KAMC_POSTGRES_INITDB)
  list(APPEND KAMC_DBSERVER_KINDS postgres)
endif()
if(NOT Python3_Interpreter_FOUND OR NOT KAMC_DBSERVER_KINDS)
  message(WARNING "python3, mariadb-server or postgresql not found (.ci/install-deps.sh installs them): "
                  "the runtime.dbservers.* and runtime.dbauth.* tests are not registered")
  return()
endif()

# The servers themselves: start, Kamailio's schema and users, restart on the same port,
# and nothing left behind.
foreach(kind IN LISTS KAMC_DBSERVER_KINDS)
  add_test(NAME runtime.dbservers.${kind}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/integration/dbservers.py ${kind})
  set_tests_properties(runtime.dbservers.${kind} PROPERTIES TIMEOUT 120 LABELS "runtime;database")
endforeach()
