#include "upstream/upstreamfactory.h"

#include "upstream/httpupstream.h"
#include "upstream/restupstream.h"
#include "upstream/sseupstream.h"
#include "upstream/stdioupstream.h"

namespace metamcp {

std::unique_ptr<Upstream> createUpstream(const UpstreamConfig &config, QObject *parent)
{
    switch (config.kind) {
    case UpstreamKind::Stdio:
        return std::make_unique<StdioUpstream>(config, parent);
    case UpstreamKind::StreamableHttp:
        return std::make_unique<HttpUpstream>(config, parent);
    case UpstreamKind::Sse:
        return std::make_unique<SseUpstream>(config, parent);
    case UpstreamKind::Rest:
        return std::make_unique<RestUpstream>(config, parent);
    }
    return nullptr;
}

} // namespace metamcp
