#include "core/callpipeline.h"

#include <algorithm>

namespace metamcp {

QString callPhaseName(CallPhase phase)
{
    switch (phase) {
    case CallPhase::Identify:
        return QStringLiteral("identify");
    case CallPhase::Authorize:
        return QStringLiteral("authorize");
    case CallPhase::Admit:
        return QStringLiteral("admit");
    case CallPhase::LookUp:
        return QStringLiteral("look up");
    case CallPhase::Protect:
        return QStringLiteral("protect");
    case CallPhase::Forward:
        return QStringLiteral("forward");
    case CallPhase::Record:
        return QStringLiteral("record");
    }
    return QStringLiteral("unknown");
}

bool CallPipeline::addStage(std::shared_ptr<CallStage> stage)
{
    if (!stage || stage->phase() == CallPhase::Forward || stage->phase() == CallPhase::Record)
        return false;
    const auto at = std::upper_bound(m_stages.begin(), m_stages.end(), stage->phase(),
                                     [](CallPhase p, const auto &s) { return int(p) < int(s->phase()); });
    m_stages.insert(at, std::move(stage));
    return true;
}

QStringList CallPipeline::describe() const
{
    QStringList out;
    for (const auto &s : m_stages)
        out << callPhaseName(s->phase()) + u'/' + s->name();
    return out;
}

int CallPipeline::run(const CallControlPtr &call, int from) const
{
    for (int i = from; i < size(); ++i) {
        if (call->isDone())
            return i;
        call->context().stage = i;
        if (m_stages[size_t(i)]->onCall(call) == CallStage::Result::Stop) {
            if (!call->isDone())
                call->context().decisions.append(
                    {m_stages[size_t(i)]->name(), m_stages[size_t(i)]->phase(), QStringLiteral("stop"), {}});
            return i;
        }
    }
    return size();
}

} // namespace metamcp
