#pragma once

// An Upstream without a transport, for Router and pipeline tests (injected through
// UpstreamManager::setFactory): it serves a fixed tool list, answers tools/call at once or
// holds calls until the test releases them, and becomes Ready when the test says so.

#include "model/protocol.h"
#include "upstream/upstream.h"

#include <QHash>
#include <QJsonArray>
#include <QList>
#include <QTimer>

namespace metamcp::test {

class FakeUpstream final : public Upstream
{
public:
    explicit FakeUpstream(const UpstreamConfig &config, QObject *parent = nullptr)
        : Upstream(config, parent)
    {}

    QJsonArray tools;                   // tools/list answers these
    bool readyOnStart = true;           // false: stays Starting until becomeReady()
    bool holdCalls = false;             // tools/call waits for release()
    bool askSampling = false;           // tools/call first asks its client for sampling (a related request)
    QList<QJsonObject> samplingAnswers; // what the client answered
    QList<quint64> held;                // handles of held calls
    QList<QJsonObject> calls;           // every tools/call's params, in order
    QStringList cancelled;              // reasons of abandoned requests

    void start() override
    {
        if (state() != UpstreamState::Stopped)
            return;
        setState(UpstreamState::Starting);
        if (readyOnStart)
            becomeReady();
    }
    void becomeReady()
    {
        setServerInfo(
            QJsonObject{{QStringLiteral("protocolVersion"), mcp::V2025_11_25},
                        {QStringLiteral("capabilities"), QJsonObject{{QStringLiteral("tools"), QJsonObject{}}}},
                        {QStringLiteral("serverInfo"), QJsonObject{{QStringLiteral("name"), name()},
                                                                   {QStringLiteral("version"), QStringLiteral("1")}}}});
        setState(UpstreamState::Ready);
    }
    void stop() override
    {
        failAll(rpcerr::UpstreamUnavailable, QStringLiteral("stopped"));
        setState(UpstreamState::Stopped);
    }

    // Answers a held call with a text result.
    void release(quint64 handle, const QString &text = QStringLiteral("released"))
    {
        held.removeAll(handle);
        finishRequest(handle, jsonrpc::result(idFor(handle), textResult(text)));
    }

protected:
    void transmitRequest(quint64 handle, const QJsonObject &request, const RequestHooks &hooks) override
    {
        const QString method = request.value(QLatin1String("method")).toString();
        const QJsonObject params = request.value(QLatin1String("params")).toObject();
        if (method == u"tools/list")
            return finishRequest(handle, jsonrpc::result(idFor(handle), QJsonObject{{QStringLiteral("tools"), tools}}));
        if (method == u"tools/call") {
            calls.append(params);
            if (askSampling && hooks.onServerRequest) {
                held.append(handle);
                // From the event loop, as a real transport delivers it.
                QTimer::singleShot(0, this, [this, handle, ask = hooks.onServerRequest] {
                    if (!held.contains(handle))
                        return;
                    ask(jsonrpc::request(
                            QStringLiteral("s%1").arg(handle), QStringLiteral("sampling/createMessage"),
                            QJsonObject{{QStringLiteral("messages"), QJsonArray{}}, {QStringLiteral("maxTokens"), 10}}),
                        [this](const QJsonObject &answer) { samplingAnswers.append(answer); });
                });
                return;
            }
            if (holdCalls) {
                held.append(handle);
                return;
            }
            return finishRequest(
                handle,
                jsonrpc::result(
                    idFor(handle),
                    textResult(QStringLiteral("called %1").arg(params.value(QLatin1String("name")).toString()))));
        }
        finishRequest(handle, jsonrpc::error(idFor(handle), rpcerr::MethodNotFound, QStringLiteral("no ") + method));
    }
    void sendMessage(const QJsonObject &) override {}
    bool abandonRequest(quint64 handle, const QString &reason) override
    {
        held.removeAll(handle);
        cancelled.append(reason);
        return true;
    }

private:
    static QJsonObject textResult(const QString &text)
    {
        return QJsonObject{
            {QStringLiteral("content"), QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                                                               {QStringLiteral("text"), text}}}}};
    }
};

} // namespace metamcp::test
