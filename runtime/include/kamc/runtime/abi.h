/* The one interface between compiled route code (JIT or AOT, or hand-written C++ until
 * codegen exists) and the kamc SIP runtime. C linkage, plain C types only.
 *
 * Two phases, as in Kamailio:
 *  - load time: the route code's kamc_rt_load_fn registers its route entry points and
 *    resolves every function call, pseudo-variable and format string it uses into a
 *    handle (kamc_rt_fixup_*). Errors are reported here, once, with a message.
 *  - per message: the runtime calls a route entry point with the message; the route
 *    uses only handles (kamc_rt_call_*, kamc_rt_get_pv, ...), never names.
 *
 * Return codes everywhere follow Kamailio: negative = false, 0 = stop the script (exit),
 * positive = true. Compiled code lowers `exit` to `return 0`, `drop` to
 * `return kamc_rt_drop(msg)`, and after every call or route(...) that returned 0 it
 * returns 0 itself.
 */
#ifndef KAMC_RUNTIME_ABI_H
#define KAMC_RUNTIME_ABI_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KAMC_RT_ABI_VERSION 1

#define KAMC_RT_EXIT 0
#define KAMC_RT_TRUE 1
#define KAMC_RT_FALSE (-1)

typedef struct kamc_rt_runtime kamc_rt_runtime; /* routes and fixed-up handles of one process */
typedef struct kamc_rt_msg kamc_rt_msg;         /* one SIP message being routed */
typedef struct kamc_rt_call kamc_rt_call;       /* a function call with its arguments fixed up */
typedef struct kamc_rt_pv kamc_rt_pv;           /* a pseudo-variable name resolved to an id */
typedef struct kamc_rt_fmt kamc_rt_fmt;         /* a string with pseudo-variables, pre-parsed */

/* Route blocks a config can define. */
enum kamc_rt_route_kind {
  KAMC_RT_ROUTE_REQUEST = 1, /* request_route (name NULL) */
  KAMC_RT_ROUTE_NAMED = 2,   /* route[NAME], called with kamc_rt_call_route */
  KAMC_RT_ROUTE_REPLY = 3,   /* reply_route / onreply_route without a name: the core reply route */
  KAMC_RT_ROUTE_ONREPLY = 4, /* onreply_route[NAME] (tm; later) */
  KAMC_RT_ROUTE_FAILURE = 5, /* failure_route[NAME] (tm; later) */
  KAMC_RT_ROUTE_BRANCH = 6,  /* branch_route[NAME] (tm; later) */
  KAMC_RT_ROUTE_ONSEND = 7,  /* onsend_route (later) */
  KAMC_RT_ROUTE_EVENT = 8    /* event_route[NAME] (later) */
};

/* The route type a message is being executed in; the same bits as Kamailio's route
 * masks (route.h), so a function's allowed-route mask can be checked with one AND. */
enum kamc_rt_route_type {
  KAMC_RT_REQUEST_ROUTE = 1 << 0,
  KAMC_RT_FAILURE_ROUTE = 1 << 1,
  KAMC_RT_TM_ONREPLY_ROUTE = 1 << 2,
  KAMC_RT_BRANCH_ROUTE = 1 << 3,
  KAMC_RT_ONSEND_ROUTE = 1 << 4,
  KAMC_RT_CORE_ONREPLY_ROUTE = 1 << 7
};

typedef int (*kamc_rt_route_fn)(kamc_rt_msg* msg);

/* The entry point a compiled config exports: registers routes and does all fixups.
 * Returns 0, or -1 after writing a message into error. */
typedef int (*kamc_rt_load_fn)(kamc_rt_runtime* rt, char* error, size_t error_size);

/* ---- load time ---------------------------------------------------------------- */

/* name is NULL for request_route and the core reply route, the block name otherwise.
 * Returns 0, or -1 when that route is already registered or the kind is unknown. */
int kamc_rt_register_route(kamc_rt_runtime* rt, int kind, const char* name, kamc_rt_route_fn fn);

/* route(NAME): a handle (>= 0) for kamc_rt_call_route. The route may be registered
 * later; kamc_rt_check_routes reports names that never were. */
int kamc_rt_fixup_route(kamc_rt_runtime* rt, const char* name);
/* 0 when every route named through kamc_rt_fixup_route is registered, else -1 and a message. */
int kamc_rt_check_routes(kamc_rt_runtime* rt, char* error, size_t error_size);

enum kamc_rt_arg_kind { KAMC_RT_ARG_INT = 1, KAMC_RT_ARG_STR = 2 };
/* A literal argument as written in the config. A string may contain pseudo-variables
 * ("$ru"), which the function's fixup parses once. */
typedef struct kamc_rt_arg {
  int kind;
  long long number;
  const char* text;
  size_t length;
} kamc_rt_arg;

/* Looks the function up by name (later: by catalog id), checks the argument count and
 * runs its fixup. NULL on error, with a message in error. The handle lives as long as rt. */
const kamc_rt_call* kamc_rt_fixup_call(kamc_rt_runtime* rt, const char* function_name,
                                       const kamc_rt_arg* args, int argc, char* error,
                                       size_t error_size);

/* "$ru", "$hdr(Name)", "$var(x)", "$(ru)". NULL and a message when unknown. */
const kamc_rt_pv* kamc_rt_fixup_pv(kamc_rt_runtime* rt, const char* name, char* error,
                                   size_t error_size);

/* A string with embedded pseudo-variables, as in xlog or an assignment. */
const kamc_rt_fmt* kamc_rt_fixup_fmt(kamc_rt_runtime* rt, const char* text, size_t length,
                                     char* error, size_t error_size);

/* ---- per message -------------------------------------------------------------- */

/* The function's return code (Kamailio semantics). A function used in a route type its
 * mask does not allow returns KAMC_RT_FALSE and logs an error. */
int kamc_rt_call_function(kamc_rt_msg* msg, const kamc_rt_call* call);

/* Runs route[NAME] in the current route type and returns its return code. */
int kamc_rt_call_route(kamc_rt_msg* msg, int route_handle);

/* Value flags: a value may be both a string and an integer (e.g. $rp), or neither (null). */
#define KAMC_RT_VAL_NULL 0
#define KAMC_RT_VAL_STR 1
#define KAMC_RT_VAL_INT 2

typedef struct kamc_rt_value {
  int flags;
  long long number;
  const char* text; /* not NUL-terminated; valid until the message is done */
  size_t length;
} kamc_rt_value;

/* 0 and *out filled (flags KAMC_RT_VAL_NULL for a null value), or -1 on error. */
int kamc_rt_get_pv(kamc_rt_msg* msg, const kamc_rt_pv* pv, kamc_rt_value* out);
/* Assignment; a value with flags KAMC_RT_VAL_NULL is `$x = $null`. 0, or -1 when the
 * pseudo-variable is read-only or the value is not acceptable (e.g. a malformed URI). */
int kamc_rt_set_pv(kamc_rt_msg* msg, const kamc_rt_pv* pv, const kamc_rt_value* value);

/* Renders fmt into the message's scratch space; *out is a string value. */
int kamc_rt_print_fmt(kamc_rt_msg* msg, const kamc_rt_fmt* fmt, kamc_rt_value* out);

/* `uri == myself` / `$rd == myself`: 1 when text (a SIP URI, or host[:port]) names
 * one of this server's listen addresses or aliases, -1 otherwise. */
int kamc_rt_is_myself(kamc_rt_msg* msg, const char* text, size_t length);

/* `drop`: no reply is relayed and nothing more happens to the message. Returns 0. */
int kamc_rt_drop(kamc_rt_msg* msg);

/* The route type the message is executing in (enum kamc_rt_route_type). */
int kamc_rt_route_type(const kamc_rt_msg* msg);
int kamc_rt_is_request(const kamc_rt_msg* msg);

/* ---- expressions: Kamailio's rvalue semantics -------------------------------
 * Compiled code does integer arithmetic and control flow itself; these helpers give it
 * Kamailio's conversions and string operations. Kamailio's script integers are C ints
 * (32 bits, wrapping), so conversions return int. */

/* Automatic str -> int: "" is 0, then signed decimal, then 0x hex, anything else 0. */
int kamc_rt_str_to_int(const char* text, size_t length);
/* int -> decimal string in the message's scratch space; *out is a string value. */
void kamc_rt_int_to_str(kamc_rt_msg* msg, int number, kamc_rt_value* out);
/* a + b on strings: the concatenation in the message's scratch space. */
void kamc_rt_concat(kamc_rt_msg* msg, const char* a, size_t a_length, const char* b, size_t b_length,
                    kamc_rt_value* out);
/* 1 when the two strings are byte-equal, else 0. */
int kamc_rt_str_equal(const char* a, size_t a_length, const char* b, size_t b_length);

/* The same, ignoring ASCII case: Kamailio's comparison of `method`, `uri`, ... operands. */
int kamc_rt_str_equal_icase(const char* a, size_t a_length, const char* b, size_t b_length);
/* `src_ip == 10.0.0.0/8`: 1 when the address text is the IP, or inside the network,
 * given as written in the config ("1.2.3.4", "10.0.0.0/8", "[::1]", "fe80::/10"). */
int kamc_rt_ip_matches(const char* ip, size_t ip_length, const char* network, size_t network_length);

/* A POSIX extended regex (REG_EXTENDED | REG_NOSUB), compiled once at load time. Kamailio
 * compiles `=~` operands with REG_ICASE (ignore_case 1) and switch `case /"re":` labels
 * without it (ignore_case 0). NULL and a message when invalid. */
typedef struct kamc_rt_regex kamc_rt_regex;
const kamc_rt_regex* kamc_rt_fixup_regex(kamc_rt_runtime* rt, const char* pattern, size_t length, int ignore_case,
                                         char* error, size_t error_size);
/* 1 when text matches, else 0. */
int kamc_rt_regex_match(const kamc_rt_regex* regex, const char* text, size_t length);
/* `a =~ $var(re)`: the pattern is only known per message and is compiled on the fly,
 * as Kamailio does. 1 match, 0 no match, -1 invalid pattern (logged). */
int kamc_rt_regex_match_dynamic(kamc_rt_msg* msg, const char* pattern, size_t pattern_length, const char* text,
                                size_t length);

/* Puts "prefix" in front of the message in error (load time: the config position). */
void kamc_rt_error_prefix(char* error, size_t error_size, const char* prefix);

/* $rc / $retcode: the return code of the last function or route called. */
void kamc_rt_set_retcode(kamc_rt_msg* msg, int code);
/* A script-level error in compiled code (division by zero, a failed assignment),
 * logged with the config position as Kamailio logs it. */
void kamc_rt_log_script_error(kamc_rt_msg* msg, const char* what, const char* file, int line);

/* ---- configuration: the init part of a compiled config's kamc_rt_load_fn -------
 * Global parameters, loadmodule and modparam, in the order the config has them. */

/* A core parameter with its value as written ("udp:127.0.0.1:5060", "4", "yes").
 * 0, or -1 and a message when the value is invalid. Parameters the runtime has no use
 * for are accepted and logged at info level (docs/runtime.md lists them). */
int kamc_rt_set_core_param(kamc_rt_runtime* rt, const char* name, const char* value, size_t length, char* error,
                           size_t error_size);
/* loadmodule "NAME.so" (name without directory and suffix). 1 when the runtime
 * implements the module, 0 when it does not (its functions are then unavailable). */
int kamc_rt_load_module(kamc_rt_runtime* rt, const char* name);
/* modparam("module", "param", value). For a module the runtime provides: -1 and a
 * message for a parameter the catalog does not know or a value of the wrong type; a
 * catalog parameter the module does not implement is a warning. Parameters of other
 * modules are accepted and logged at info level. */
int kamc_rt_set_modparam(kamc_rt_runtime* rt, const char* module, const char* param, const kamc_rt_arg* value,
                         char* error, size_t error_size);
/* After the last modparam and before the first route or fixup: every module's init
 * (Kamailio's mod_init), with the parameters as set. 0, or -1 and a message. */
int kamc_rt_init_modules(kamc_rt_runtime* rt, char* error, size_t error_size);

#ifdef __cplusplus
}
#endif

#endif /* KAMC_RUNTIME_ABI_H */
