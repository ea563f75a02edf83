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
# Cases: auth (default_cfg_<db>), db_fault (default_cfg_db_fault_<db>: the database
# stops under the running proxy and comes back on the same port) and stale_nonce
# (default_cfg_stale_nonce_<db>: nonces older than nonce_expire).
if(KAMC_DBAUTH_KAMAILIO)
  foreach(database IN LISTS dbauth_databases)
    foreach(case IN ITEMS auth db_fault stale_nonce)
      set(name default_cfg_${database})
      if(NOT case STREQUAL "auth")
        set(name default_cfg_${case}_${database})
      endif()
      add_test(NAME runtime.dbauth.${name}.kamailio
        COMMAND ${Python3_EXECUTABLE} ${dbauth_script} ${database} --case ${case} --server kamailio
                ${dbauth_oracle_args})
      set_tests_properties(runtime.dbauth.${name}.kamailio PROPERTIES TIMEOUT 300 LABELS "runtime;database;dbauth")
    endforeach()
  endforeach()
endif()

# kamc (kamc run, and a kamc -o binary) under the same observations, each compared with
# kamailio's in the same test when kamailio is installed.
if(TARGET kamc AND TARGET kamc-cg)
  # name, database, case, server
  set(dbauth_kamc_variants)
  if(KAMC_MARIADBD)
    list(APPEND dbauth_kamc_variants "default_cfg_mysql.kamc_run mysql auth kamc-run"
                                     "default_cfg_mysql.kamc_o mysql auth kamc-o"
                                     "default_cfg_db_fault_mysql.kamc_run mysql db_fault kamc-run"
                                     "default_cfg_stale_nonce_mysql.kamc_run mysql stale_nonce kamc-run")
  endif()
  if(KAMC_POSTGRES_INITDB)
    list(APPEND dbauth_kamc_variants "default_cfg_postgres.kamc_run postgres auth kamc-run"
                                     "default_cfg_db_fault_postgres.kamc_run postgres db_fault kamc-run")
  endif()
  foreach(variant IN LISTS dbauth_kamc_variants)
    separate_arguments(variant)
    list(GET variant 0 name)
    list(GET variant 1 database)
    list(GET variant 2 case)
    list(GET variant 3 server)
    add_test(NAME runtime.dbauth.${name}
      COMMAND ${Python3_EXECUTABLE} ${dbauth_script} ${database} --case ${case} --server ${server}
              --kamc $<TARGET_FILE:kamc> ${dbauth_oracle_args})
    set_tests_properties(runtime.dbauth.${name} PROPERTIES TIMEOUT 600 LABELS "runtime;database;dbauth")
  endforeach()
endif()
