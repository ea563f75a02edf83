/* Compiles abi.h as C11 with -pedantic -Werror: compiled routes may be C, and the header
 * must not pick up C++ by accident. Also shows the shape of a route written in C. */
#include "kamc/runtime/abi.h"

static const kamc_rt_call* g_reply_200;

static int c_request_route(kamc_rt_msg* msg) {
  int r = kamc_rt_call_function(msg, g_reply_200);
  if (r == KAMC_RT_EXIT) return KAMC_RT_EXIT;
  return KAMC_RT_EXIT;
}

int kamc_abi_c_check_load(kamc_rt_runtime* rt, char* error, size_t error_size);
int kamc_abi_c_check_load(kamc_rt_runtime* rt, char* error, size_t error_size) {
  kamc_rt_arg args[2];
  args[0].kind = KAMC_RT_ARG_INT;
  args[0].number = 200;
  args[0].text = 0;
  args[0].length = 0;
  args[1].kind = KAMC_RT_ARG_STR;
  args[1].number = 0;
  args[1].text = "OK";
  args[1].length = 2;
  g_reply_200 = kamc_rt_fixup_call(rt, "sl_send_reply", args, 2, error, error_size);
  if (!g_reply_200) return -1;
  return kamc_rt_register_route(rt, KAMC_RT_ROUTE_REQUEST, 0, c_request_route);
}
