#include "core/calllog.h"

#include "model/jsontext.h"

Q_LOGGING_CATEGORY(lcCalls, "metamcp.calls")

namespace metamcp {

void CallLog::onCallEvent(const CallEvent &event)
{
    if (m_enabled && event.latencyUs >= 0)
        appendLine(m_pending, event);
}

void CallLog::appendLine(QByteArray &l, const CallEvent &event)
{
    auto string = [&l](const char *key, const QString &value) {
        l.append(key);
        json::appendJsonString(l, value.toUtf8());
    };
    string("{\"ts\":", event.time.toString(Qt::ISODateWithMs));
    string(",\"session\":", event.sessionId);
    string(",\"client\":", event.client);
    string(",\"principal\":", event.principal);
    string(",\"ns\":", event.ns);
    string(",\"method\":", event.method);
    string(",\"target\":", event.tool);
    string(",\"upstream\":", event.upstream);
    l.append(",\"status\":").append(QByteArray::number(event.status));
    l.append(",\"latency_us\":").append(QByteArray::number(event.latencyUs));
    l.append(",\"bytes_in\":").append(QByteArray::number(event.requestBytes));
    l.append(",\"bytes_out\":").append(QByteArray::number(event.responseBytes));
    if (!event.decisions.isEmpty()) {
        l.append(",\"decisions\":[");
        for (qsizetype i = 0; i < event.decisions.size(); ++i) {
            if (i)
                l.append(',');
            json::appendJsonString(l, event.decisions.at(i).toUtf8());
        }
        l.append(']');
    }
    l.append("}\n");
}

} // namespace metamcp
