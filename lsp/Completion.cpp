// Completion and signature help, read from the text as the editor has it now
// (the tree may lag behind the typing) and the last analysis.
#include "AnalysisData.h"

namespace kamc::lsp {

namespace {

std::string snippetFor(const catalog::FunctionInfo& f) {
  std::string s = std::string(f.name) + "(";
  for (size_t i = 0; i < f.minArgs; ++i) {
    if (i) s += ", ";
    bool quoted = f.argKinds[i] != catalog::ArgKind::Int && f.argKinds[i] != catalog::ArgKind::Pvar;
    std::string ph = "${" + std::to_string(i + 1) + ":" + std::string(catalog::argKindName(f.argKinds[i])) + "}";
    s += quoted ? "\"" + ph + "\"" : ph;
  }
  return s + ")";
}

// The identifier-ish text just before the cursor.
std::string_view wordBefore(std::string_view line, size_t col) {
  size_t b = col;
  while (b > 0 && (std::isalnum(static_cast<unsigned char>(line[b - 1])) || line[b - 1] == '_' || line[b - 1] == '.'))
    --b;
  return line.substr(b, col - b);
}

}  // namespace

std::vector<Completion> Analysis::completion(const std::string& path, const std::string& text, Position pos) const {
  const AnalysisData& d = *d_;
  // The line as the editor has it now: the tree may lag behind the typing.
  size_t lineStart = 0;
  for (uint32_t l = 0; l < pos.line; ++l) {
    lineStart = text.find('\n', lineStart);
    if (lineStart == std::string::npos) return {};
    ++lineStart;
  }
  size_t lineEnd = text.find('\n', lineStart);
  std::string_view line = std::string_view(text).substr(lineStart, lineEnd == std::string::npos ? std::string::npos
                                                                                                 : lineEnd - lineStart);
  size_t col = byteColumnOf(line, pos.character, d.options.encoding);
  std::string_view before = line.substr(0, col);
  std::string_view word = wordBefore(line, col);
  std::string_view head = before.substr(0, before.size() - word.size());
  std::string_view trimmed = head;
  while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t')) trimmed.remove_suffix(1);
  std::vector<Completion> out;
  auto add = [&](Completion c) {
    if (startsWith(c.label, word)) out.push_back(std::move(c));
  };

  // #!ifdef NAME / #!ifndef NAME: define names.
  std::string_view lead = before.substr(std::min(before.find_first_not_of(" \t"), before.size()));
  if (startsWith(lead, "#!ifdef") || startsWith(lead, "#!ifndef") || startsWith(lead, "#!undef")) {
    std::set<std::string> seen;
    for (const DefineInfo& def : d.defines->definitions())
      if (seen.insert(def.name).second)
        add({def.name, CompletionKind::Define, def.hasValue ? def.value : "", "", def.name, false, {}});
    return out;
  }
  // $name: pseudo-variables (after '$' or '$(').
  if (!head.empty() && (head.back() == '$' || (head.size() >= 2 && head.substr(head.size() - 2) == "$("))) {
    std::set<std::string> seen;
    for (const catalog::PseudoVariableInfo& pv : catalog::allPseudoVariables()) {
      if (pv.module != "core" && (!d.modules || !d.modules->loadedAnywhere(pv.module))) continue;
      if (!seen.insert(std::string(pv.name)).second) continue;
      std::string label(pv.name);
      std::string insert = pv.takesName ? label + "(${1:name})" : label;
      add({label, CompletionKind::PseudoVariable, std::string(pv.module), std::string(pv.doc), insert, pv.takesName, {}});
    }
    return out;
  }
  // {s.len}: transformations after '{' inside $( ).
  if (!head.empty() && head.back() == '{' && head.find("$(") != std::string_view::npos) {
    for (const catalog::TransformationInfo& t : catalog::allTransformations()) {
      std::string label = std::string(t.className) + "." + std::string(t.name);
      add({label, CompletionKind::Transformation, std::string(t.module), std::string(t.doc), label, false, {}});
    }
    return out;
  }
  // route(NAME), t_on_failure("NAME")...: route names of the kind.
  struct Namer {
    std::string_view call;
    ast::RouteKind kind;
    std::string_view prefix;  // t_on_branch_failure("X") names event_route[tm:branch-failure:X]
  };
  static const Namer kNamers[] = {
      {"route(", ast::RouteKind::Named, ""},        {"t_on_failure(", ast::RouteKind::Failure, ""},
      {"t_on_branch(", ast::RouteKind::Branch, ""}, {"t_on_reply(", ast::RouteKind::OnReply, ""},
      {"t_on_branch_failure(", ast::RouteKind::Event, "tm:branch-failure:"},
  };
  std::string_view call = trimmed;
  if (!call.empty() && (call.back() == '"' || call.back() == '\'')) call.remove_suffix(1);
  for (const Namer& n : kNamers) {
    if (call.size() < n.call.size() || call.substr(call.size() - n.call.size()) != n.call) continue;
    // The whole name: "route(" is not the end of some "xroute(".
    char before = call.size() > n.call.size() ? call[call.size() - n.call.size() - 1] : ' ';
    if (std::isalnum(static_cast<unsigned char>(before)) || before == '_') continue;
    if (d.routes)
      for (const auto& [key, blocks] : d.routes->definitions)
        if (key.first == n.kind && key.second.size() > n.prefix.size() && startsWith(key.second, n.prefix)) {
          std::string name = key.second.substr(n.prefix.size());
          add({name, CompletionKind::Route, sema::routeLabel(*blocks.front()), "", name, false, {}});
        }
    return out;
  }
  // loadmodule "x: modules not loaded yet.
  if (startsWith(lead, "loadmodule")) {
    for (const catalog::ModuleInfo& m : catalog::allModules())
      if (!m.isCore() && (!d.modules || !d.modules->loadedAnywhere(m.name)))
        add({std::string(m.name), CompletionKind::Module, std::string(m.doc), "", std::string(m.name) + ".so", false, {}});
    return out;
  }
  // modparam("mod", "name": parameters of the module; modparam(" : loaded modules.
  if (startsWith(lead, "modparam")) {
    size_t q1 = lead.find('"');
    size_t q2 = q1 == std::string_view::npos ? q1 : lead.find('"', q1 + 1);
    if (q2 == std::string_view::npos) {
      if (d.modules)
        for (const sema::LoadedModule& m : d.modules->modules())
          if (m.info && !m.info->params.empty())
            add({m.name, CompletionKind::Module, std::string(m.info->doc), "", m.name, false, {}});
      return out;
    }
    std::string module(lead.substr(q1 + 1, q2 - q1 - 1));
    if (const catalog::ModuleInfo* m = catalog::findModule(module))
      for (const catalog::ParamInfo& p : m->params)
        add({std::string(p.name), CompletionKind::Modparam, typeWithDefault(paramTypeName(p.type), p.defaultValue),
             std::string(p.doc), std::string(p.name), false, {}});
    return out;
  }
  // Inside a route block: functions; elsewhere: core parameters and top-level keywords.
  bool inRoute = false;
  if (std::optional<AnalysisData::Spot> spot = d.spotAt(path, pos); spot && spot->path.item)
    inRoute = spot->path.item->kind == ast::TopKind::Route;
  else if (!lead.empty() && (line.front() == ' ' || line.front() == '\t'))
    inRoute = true;  // indented text the tree does not cover yet (being typed)
  if (!inRoute) {
    for (const catalog::CoreParamInfo& p : catalog::allCoreParams())
      add({std::string(p.name), CompletionKind::CoreParam, typeWithDefault(coreValueName(p.type), coreDefault(p)),
           std::string(p.doc), std::string(p.name) + "=", false, {}});
    for (std::string_view kw : {"loadmodule", "modparam", "route", "request_route", "failure_route", "branch_route",
                                "onreply_route", "reply_route", "event_route", "onsend_route"})
      add({std::string(kw), CompletionKind::Keyword, "", "", std::string(kw), false, {}});
    // A module's name at the start of a line: the whole loadmodule line, for
    // modules not loaded yet (once two letters are typed).
    if (word.size() >= 2 && lead.size() == word.size())
      for (const catalog::ModuleInfo& m : catalog::allModules())
        if (!m.isCore() && startsWith(m.name, word) && (!d.modules || !d.modules->loadedAnywhere(m.name))) {
          std::string line = "loadmodule \"" + std::string(m.name) + ".so\"";
          Completion c{std::string(m.name), CompletionKind::Module, line, std::string(m.doc), line, false, {}};
          out.push_back(std::move(c));
        }
    return out;
  }
  // Where a new loadmodule line goes: after the last one of this file, or at the top.
  Range insertAt{};
  if (d.modules && d.modules->newLoadmoduleAt().valid() && d.pathOf[d.modules->newLoadmoduleAt().file] == path) {
    Position p{d.modules->newLoadmoduleAt().line - 1, 0};
    insertAt = {p, p};
  }
  std::set<std::string> seen;
  for (const catalog::FunctionInfo& f : catalog::allFunctions()) {
    if (f.routeMask == 0 || !startsWith(f.name, word)) continue;
    bool loaded = f.module == "core" || (d.modules && d.modules->loadedAnywhere(f.module));
    // Functions of modules not loaded yet only once a name is being typed.
    if (!loaded && word.size() < 2) continue;
    if (!seen.insert(std::string(f.module) + "." + std::string(f.name)).second) continue;
    Completion c{std::string(f.name), CompletionKind::Function, kindsText(f) + " — " + std::string(f.module),
                 std::string(f.doc), snippetFor(f), true, {}};
    if (!loaded) {
      c.detail += " (adds loadmodule \"" + std::string(f.module) + ".so\")";
      c.additionalEdits.push_back({insertAt, "loadmodule \"" + std::string(f.module) + ".so\"\n"});
    }
    out.push_back(std::move(c));
  }
  return out;
}

namespace {

// The text of a line of a document, or "" past its end.
std::string_view lineOf(const std::string& text, uint32_t line) {
  size_t start = 0;
  for (uint32_t l = 0; l < line; ++l) {
    start = text.find('\n', start);
    if (start == std::string::npos) return {};
    ++start;
  }
  size_t end = text.find('\n', start);
  return std::string_view(text).substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

std::optional<SignatureHelpResult> Analysis::signatureHelp(const std::string& text, Position pos) const {
  const AnalysisData& d = *d_;
  std::string_view line = lineOf(text, pos.line);
  size_t col = byteColumnOf(line, pos.character, d.options.encoding);
  // Forward to the cursor, keeping the open parentheses and the commas at
  // each depth; quotes hide what they contain and '#' starts a comment.
  std::vector<std::pair<size_t, uint32_t>> open;  // '(' position, commas seen after it
  char quote = 0;
  for (size_t i = 0; i < col && i < line.size(); ++i) {
    char c = line[i];
    if (quote) {
      if (c == '\\') ++i;
      else if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') quote = c;
    else if (c == '#') break;
    else if (c == '(') open.emplace_back(i, 0);
    else if (c == ')' && !open.empty()) open.pop_back();
    else if (c == ',' && !open.empty()) ++open.back().second;
  }
  if (open.empty()) return std::nullopt;
  uint32_t commas = open.back().second;
  size_t nameEnd = open.back().first;
  while (nameEnd > 0 && line[nameEnd - 1] == ' ') --nameEnd;
  size_t nameStart = nameEnd;
  while (nameStart > 0 && isNameChar(line[nameStart - 1])) --nameStart;
  std::string name(line.substr(nameStart, nameEnd - nameStart));
  if (name.empty()) return std::nullopt;
  SignatureHelpResult out;
  for (const catalog::FunctionInfo& f : catalog::functionsNamed(name)) {
    if (f.routeMask == 0) continue;
    bool loaded = f.module == "core" || (d.modules && d.modules->loadedAnywhere(f.module));
    if (!loaded) continue;
    Signature s{kindsText(f), {}, std::string(f.doc)};
    for (size_t i = 0; i < f.maxArgs; ++i) s.params.push_back(std::string(catalog::argKindName(f.argKinds[i])));
    if (out.signatures.empty() || (f.maxArgs > commas && out.signatures[out.activeSignature].params.size() <= commas))
      out.activeSignature = static_cast<uint32_t>(out.signatures.size());
    out.signatures.push_back(std::move(s));
  }
  if (out.signatures.empty()) return std::nullopt;
  out.activeParameter = commas;
  return out;
}

}  // namespace kamc::lsp
