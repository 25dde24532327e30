#pragma once

// Where Upstream objects come from. The base class knows none of its transports; this factory
// does, and UpstreamManager takes one injected (tests hand it fake upstreams).

#include "upstream/upstream.h"

#include <functional>
#include <memory>

namespace metamcp {

using UpstreamFactory = std::function<std::unique_ptr<Upstream>(const UpstreamConfig &config, QObject *parent)>;

// The transport for `config.kind`: stdio, Streamable HTTP, legacy SSE or REST.
std::unique_ptr<Upstream> createUpstream(const UpstreamConfig &config, QObject *parent = nullptr);

} // namespace metamcp
