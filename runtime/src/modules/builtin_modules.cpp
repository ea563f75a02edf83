// The modules linked into the runtime: the one place each is named. Kamailio finds
// its modules as .so files on mpath; kamc's are compiled in, and loadmodule selects.
#include <array>

#include "../core/module.h"

namespace kamc::runtime {

extern const ModuleExports kCoreModule;
extern const ModuleExports kPvModule;
extern const ModuleExports kKexModule;
extern const ModuleExports kCorexModule;
extern const ModuleExports kSlModule;
extern const ModuleExports kTmModule;
extern const ModuleExports kTmxModule;
extern const ModuleExports kRrModule;
extern const ModuleExports kPathModule;
extern const ModuleExports kMaxfwdModule;
extern const ModuleExports kSanityModule;
extern const ModuleExports kSiputilsModule;
extern const ModuleExports kTextopsModule;
extern const ModuleExports kXlogModule;
extern const ModuleExports kExecModule;
extern const ModuleExports kUsrlocModule;
extern const ModuleExports kRegistrarModule;
extern const ModuleExports kAuthModule;
extern const ModuleExports kAuthDbModule;
extern const ModuleExports kDbMysqlModule;
extern const ModuleExports kDbPostgresModule;
extern const ModuleExports kDbSqliteModule;

std::span<const ModuleExports* const> builtin_modules() {
  // rr before path: path's init registers an rr callback. The db drivers before their
  // users: their init sets the connection options usrloc's init connects with. auth
  // before auth_db, which checks at init that auth is loaded.
  static const std::array<const ModuleExports*, 22> modules{
      &kCoreModule,   &kPvModule,     &kKexModule,   &kCorexModule,   &kSlModule,       &kTmModule,   &kTmxModule,
      &kRrModule,     &kMaxfwdModule, &kSanityModule, &kSiputilsModule, &kTextopsModule, &kXlogModule,
      &kPathModule,
      &kExecModule,
      &kDbMysqlModule, &kDbPostgresModule, &kDbSqliteModule,
      &kUsrlocModule, &kRegistrarModule,
      &kAuthModule,   &kAuthDbModule};
  return modules;
}

}  // namespace kamc::runtime
