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

# Kamailio's default kamailio.cfg with -A WITH_MYSQL -A WITH_AUTH -A WITH_USRLOCDB on those
# servers (auth_default_cfg_integration.py; for PostgreSQL the cfg loads db_postgres.so).
# The real kamailio's own run checks the test and the servers; the kamc runs compare
# their observations with kamailio's, run in the same test as the oracle.
find_program(KAMC_DBAUTH_KAMAILIO kamailio PATHS /usr/sbin /usr/local/sbin)
set(KAMC_KAMAILIO_MODULE_DIR /usr/lib/x86_64-linux-gnu/kamailio/modules)
set(dbauth_script ${CMAKE_CURRENT_SOURCE_DIR}/auth_default_cfg_integration.py)
set(dbauth_oracle_args)
if(KAMC_DBAUTH_KAMAILIO)
  set(dbauth_oracle_args --kamailio ${KAMC_DBAUTH_KAMAILIO})
endif()
set(dbauth_databases)
if(KAMC_MARIADBD AND EXISTS ${KAMC_KAMAILIO_MODULE_DIR}/db_mysql.so)
  list(APPEND dbauth_databases mysql)
endif()
if(KAMC_POSTGRES_INITDB AND EXISTS ${KAMC_KAMAILIO_MODULE_DIR}/db_postgres.so)
  list(APPEND dbauth_databases postgres)
endif()
if(KAMC_DBAUTH_KAMAILIO)
  foreach(database IN LISTS dbauth_databases)
    add_test(NAME runtime.dbauth.default_cfg_${database}.kamailio
      COMMAND ${Python3_EXECUTABLE} ${dbauth_script} ${database} --server kamailio ${dbauth_oracle_args})
    set_tests_properties(runtime.dbauth.default_cfg_${database}.kamailio PROPERTIES
      TIMEOUT 300 LABELS "runtime;database;dbauth")
  endforeach()
endif()

# kamc under the same observations. Off until the runtime has auth, auth_db and the
# MySQL/PostgreSQL drivers (issue 20); turn on with -DKAMC_DBAUTH_KAMC_TESTS=ON.
option(KAMC_DBAUTH_KAMC_TESTS "Register the runtime.dbauth.*.kamc_* tests (kamc with auth on MariaDB/PostgreSQL)" OFF)
if(KAMC_DBAUTH_KAMC_TESTS AND TARGET kamc AND TARGET kamc-cg)
  set(dbauth_kamc_variants)
  if(KAMC_MARIADBD)
    list(APPEND dbauth_kamc_variants "mysql kamc-run kamc_run" "mysql kamc-o kamc_o")
  endif()
  if(KAMC_POSTGRES_INITDB)
    list(APPEND dbauth_kamc_variants "postgres kamc-run kamc_run")
  endif()
  foreach(variant IN LISTS dbauth_kamc_variants)
    separate_arguments(variant)
    list(GET variant 0 database)
    list(GET variant 1 server)
    list(GET variant 2 suffix)
    add_test(NAME runtime.dbauth.default_cfg_${database}.${suffix}
      COMMAND ${Python3_EXECUTABLE} ${dbauth_script} ${database} --server ${server}
              --kamc $<TARGET_FILE:kamc> ${dbauth_oracle_args})
    set_tests_properties(runtime.dbauth.default_cfg_${database}.${suffix} PROPERTIES
      TIMEOUT 600 LABELS "runtime;database;dbauth")
  endforeach()
endif()
