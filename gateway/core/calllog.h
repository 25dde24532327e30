#pragma once

// The structured call log: one JSON object per line for each completed client request
// (notifications are not logged), written by the facade in batches to stderr under the logging
// category metamcp.calls. Strings go through json::appendJsonString (model/jsontext.h), the
// one JSON string writer. Gateway thread.

#include "core/observers.h"

#include <QByteArray>
#include <QLoggingCategory>

// metamcp.calls: the call log's lines (info) and the Router's remarks about calls (debug, warning).
Q_DECLARE_LOGGING_CATEGORY(lcCalls)

namespace metamcp {

class CallLog final : public CallObserver
{
public:
    void setEnabled(bool enabled) { m_enabled = enabled; }
    bool isEnabled() const { return m_enabled; }
    void onCallEvent(const CallEvent &event) override;
    // The lines since the last take.
    QByteArray take() { return std::exchange(m_pending, {}); }

    // One event as its log line (with the trailing newline).
    static void appendLine(QByteArray &out, const CallEvent &event);

private:
    bool m_enabled = true;
    QByteArray m_pending;
};

} // namespace metamcp
