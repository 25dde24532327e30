#include "model/upstreamstate.h"

namespace metamcp {

QString upstreamStateName(UpstreamState state)
{
    switch (state) {
    case UpstreamState::Stopped:
        return QStringLiteral("stopped");
    case UpstreamState::Starting:
        return QStringLiteral("starting");
    case UpstreamState::Ready:
        return QStringLiteral("ready");
    case UpstreamState::Failing:
        return QStringLiteral("failing");
    }
    return QStringLiteral("unknown");
}

} // namespace metamcp
