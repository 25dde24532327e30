#pragma once

// The lifecycle state of an upstream server, as the console and the daemon's log show it.

#include <QString>

namespace metamcp {

enum class UpstreamState { Stopped, Starting, Ready, Failing };
QString upstreamStateName(UpstreamState state); // "stopped", "starting", "ready", "failing"

} // namespace metamcp
