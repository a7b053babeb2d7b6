// What the stand-in reads from the PTX a module is loaded from: its ISA version and target, and
// each entry's parameter list and whether it has barriers.
#pragma once

#include <string>
#include <vector>

#include "kernel_registry.h"

namespace standin {

struct PtxEntry {
    std::string name;
    std::vector<std::string> param_types; // ".u64", ".u32", ".f32", ...
    bool barriers = false;                // bar.sync in the body: threads must run as fibers
};

struct Ptx {
    int version = 0; // major * 10 + minor
    int target = 0;  // sm_XY as XY
    std::vector<PtxEntry> entries;

    const PtxEntry* entry(const std::string& name) const;
};

// Throws a Fault (INVALID_PTX) when the text is not PTX with a .version, a .target and entries.
Ptx parse_ptx(const char* text);

// Throws UNSUPPORTED_PTX_VERSION when a driver of this CUDA version would refuse the ISA version,
// and INVALID_PTX when the target needs a newer device.
void check_ptx_loadable(const Ptx& ptx, int driver_version, int compute_capability);

// Throws INVALID_PTX unless the PTX parameters match the host kernel's C parameters one to one.
void check_parameters(const PtxEntry& entry, const HostKernel& kernel);

// The newest PTX ISA (major * 10 + minor) a driver of this CUDA version loads.
int newest_ptx_isa(int driver_version);

} // namespace standin
