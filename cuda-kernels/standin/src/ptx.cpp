#include "ptx.h"

#include <cstring>
#include <sstream>

#include "standin.h"

namespace standin {

const PtxEntry* Ptx::entry(const std::string& name) const {
    for (const PtxEntry& e : entries) {
        if (e.name == name) {
            return &e;
        }
    }
    return nullptr;
}

namespace {

int parse_version(const std::string& v) {
    size_t dot = v.find('.');
    if (dot == std::string::npos) {
        return 0;
    }
    return std::stoi(v.substr(0, dot)) * 10 + std::stoi(v.substr(dot + 1));
}

bool compatible(const std::string& ptx_type, ParamKind kind) {
    switch (kind) {
        case ParamKind::POINTER:
        case ParamKind::INT64: return ptx_type == ".u64" || ptx_type == ".s64" || ptx_type == ".b64";
        case ParamKind::INT32: return ptx_type == ".u32" || ptx_type == ".s32" || ptx_type == ".b32";
        case ParamKind::FLOAT32: return ptx_type == ".f32";
        case ParamKind::FLOAT64: return ptx_type == ".f64";
    }
    return false;
}

} // namespace

Ptx parse_ptx(const char* text) {
    Ptx ptx;
    std::istringstream in(text);
    std::string line;
    PtxEntry* open = nullptr;
    bool in_params = false;
    int depth = 0;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string first;
        words >> first;
        if (first == ".version") {
            std::string v;
            words >> v;
            ptx.version = parse_version(v);
        } else if (first == ".target") {
            std::string t;
            words >> t;
            if (t.rfind("sm_", 0) == 0) {
                ptx.target = std::stoi(t.substr(3));
            }
        } else if (first == ".visible" || first == ".entry") {
            size_t at = line.find(".entry");
            size_t paren = line.find('(', at);
            if (at == std::string::npos) {
                continue;
            }
            std::string name = line.substr(at + 6, paren == std::string::npos ? std::string::npos : paren - at - 6);
            name.erase(0, name.find_first_not_of(" \t"));
            name.erase(name.find_last_not_of(" \t") + 1);
            ptx.entries.push_back(PtxEntry{name, {}, false});
            open = &ptx.entries.back();
            in_params = paren != std::string::npos;
            depth = 0;
        } else if (open != nullptr && in_params && first == ".param") {
            std::string type;
            words >> type;
            open->param_types.push_back(type);
        } else if (open != nullptr) {
            if (line.find(')') != std::string::npos && in_params) {
                in_params = false;
            }
            if (line.find("bar.sync") != std::string::npos || line.find("barrier.sync") != std::string::npos) {
                open->barriers = true;
            }
            for (char c : line) {
                if (c == '{') depth++;
                if (c == '}' && --depth == 0) open = nullptr;
            }
        }
    }
    if (ptx.version == 0 || ptx.target == 0 || ptx.entries.empty()) {
        throw Fault{INVALID_PTX, "cuModuleLoadData: the image is not PTX with a .version, a .target and entries"};
    }
    return ptx;
}

int newest_ptx_isa(int driver_version) {
    int major = driver_version / 1000, minor = driver_version % 1000 / 10;
    if (major >= 13) {
        return 90 + minor;
    }
    if (major == 12) {
        // CUDA 12.0 to 12.5 read ISA 8.0 to 8.5; 12.6 kept 8.5, 12.8 reads 8.7, 12.9 reads 8.8.
        static const int isa[] = {80, 81, 82, 83, 84, 85, 85, 85, 87, 88};
        return isa[minor < 10 ? minor : 9];
    }
    return 0;
}

void check_ptx_loadable(const Ptx& ptx, int driver_version, int compute_capability) {
    int newest = newest_ptx_isa(driver_version);
    if (ptx.version > newest) {
        throw Fault{UNSUPPORTED_PTX_VERSION, "cuModuleLoadData: PTX ISA " + std::to_string(ptx.version / 10) + "."
                                                 + std::to_string(ptx.version % 10) + " is newer than this driver (CUDA "
                                                 + std::to_string(driver_version / 1000) + "."
                                                 + std::to_string(driver_version % 1000 / 10) + ") reads, "
                                                 + std::to_string(newest / 10) + "." + std::to_string(newest % 10)};
    }
    if (ptx.target > compute_capability) {
        throw Fault{INVALID_PTX, "cuModuleLoadData: PTX target sm_" + std::to_string(ptx.target)
                                     + " needs a newer device than compute capability "
                                     + std::to_string(compute_capability / 10) + "."
                                     + std::to_string(compute_capability % 10)};
    }
}

void check_parameters(const PtxEntry& entry, const HostKernel& kernel) {
    bool same = entry.param_types.size() == kernel.params.size();
    for (size_t i = 0; same && i < kernel.params.size(); i++) {
        same = compatible(entry.param_types[i], kernel.params[i]);
    }
    if (!same) {
        std::string ptx, host;
        for (const std::string& t : entry.param_types) ptx += (ptx.empty() ? "" : ", ") + t;
        for (ParamKind k : kernel.params) host += std::string(host.empty() ? "" : ", ") + kind_name(k);
        throw Fault{INVALID_PTX, "kernel " + entry.name + ": the PTX declares (" + ptx + ") but the kernel's source ("
                                     + host + "); the PTX and the .cu sources disagree"};
    }
}

} // namespace standin
