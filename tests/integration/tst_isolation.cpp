// Server->client requests (sampling, elicitation) never reach a client that did not cause them.
// Several clients call tools of the real server-everything over stdio at the same time, in both
// protocol eras (2025-11-25 sessions, stateless 2026-07-28), on a shared process and on isolated
// ones (per session, per caller): on a shared process a request that cannot be attributed is
// refused and no other client sees it; isolated processes serve each client its own requests,
// are bounded in number, reaped when idle and stopped with their session.

#include "gatewayfixture.h"
#include "rawhttp.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTest>
#include <QUuid>

using namespace metamcp;
using namespace metamcp::test;

namespace {

const QJsonObject kSampling{{QStringLiteral("sampling"), QJsonObject{}}};
const QJsonObject kBoth{{QStringLiteral("sampling"), QJsonObject{}}, {QStringLiteral("elicitation"), QJsonObject{}}};

QString uniqueMarker(const char *what)
{
    return QStringLiteral("tst-isolation-%1-%2").arg(QLatin1String(what), QUuid::createUuid().toString(QUuid::Id128));
}

// How many processes have `marker` on their command line.
int processCount(const QString &marker)
{
    QProcess pgrep;
    pgrep.start(QStringLiteral("pgrep"), {QStringLiteral("-c"), QStringLiteral("-f"), marker});
    pgrep.waitForFinished(10000);
    return pgrep.readAllStandardOutput().trimmed().toInt();
}

QJsonObject toolCall(int id, const QString &tool, const QJsonObject &arguments = {}, const QJsonObject &meta = {})
{
    QJsonObject params{{QStringLiteral("name"), tool}, {QStringLiteral("arguments"), arguments}};
    if (!meta.isEmpty())
        params.insert(QStringLiteral("_meta"), meta);
    return rpc(id, QStringLiteral("tools/call"), params);
}

QJsonObject samplingAnswer(const QString &text)
{
    return {{QStringLiteral("role"), QStringLiteral("assistant")},
            {QStringLiteral("content"),
             QJsonObject{{QStringLiteral("type"), QStringLiteral("text")}, {QStringLiteral("text"), text}}},
            {QStringLiteral("model"), QStringLiteral("test-model")},
            {QStringLiteral("stopReason"), QStringLiteral("endTurn")}};
}

QJsonObject elicitationAnswer(const QString &name)
{
    return {{QStringLiteral("action"), QStringLiteral("accept")},
            {QStringLiteral("content"), QJsonObject{{QStringLiteral("name"), name}}}};
}

QString text(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

// The prompt text of a sampling/createMessage request (its first message).
QString promptOf(const QJsonObject &request)
{
    const QJsonObject params = request.value(QLatin1String("params")).toObject();
    return params.value(QLatin1String("messages"))
        .toArray()
        .first()
        .toObject()
        .value(QLatin1String("content"))
        .toObject()
        .value(QLatin1String("text"))
        .toString();
}

// A 2025-11-25 client: a session, calls on their own streams, a GET stream.
class SessionClient
{
public:
    SessionClient(quint16 port, const QByteArray &path = "/mcp", const QByteArray &apiKey = {})
        : m_port(port)
        , m_path(path)
        , m_apiKey(apiKey)
    {}

    bool initialize(const QJsonObject &caps)
    {
        const QByteArray body =
            QJsonDocument(
                rpc(1, QStringLiteral("initialize"),
                    {{QStringLiteral("protocolVersion"), QStringLiteral("2025-11-25")},
                     {QStringLiteral("capabilities"), caps},
                     {QStringLiteral("clientInfo"), QJsonObject{{QStringLiteral("name"), QStringLiteral("tst")},
                                                                {QStringLiteral("version"), QStringLiteral("1")}}}}))
                .toJson(QJsonDocument::Compact);
        const RawResponse r = rawRequest(m_port, "POST", m_path, withKey(mcpHeaders()), body);
        m_sid = r.header("mcp-session-id");
        if (r.status != 200 || m_sid.isEmpty())
            return false;
        return post(QJsonObject{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                                {QStringLiteral("method"), QStringLiteral("notifications/initialized")}})
                   .status == 202;
    }
    RawHeaders headers() const { return withKey(mcpHeaders(m_sid, "2025-11-25")); }
    RawResponse post(const QJsonObject &message) const { return postJson(m_port, m_path, message, headers()); }
    // A call whose answer is read as a stream (its server->client requests come first).
    std::unique_ptr<StreamClient> open(const QJsonObject &call) const
    {
        auto stream = std::make_unique<StreamClient>();
        if (!stream->open(
                m_port,
                buildRequest(m_port, "POST", m_path, headers(), QJsonDocument(call).toJson(QJsonDocument::Compact)),
                30000))
            return nullptr;
        return stream;
    }
    std::unique_ptr<StreamClient> openGetStream() const
    {
        RawHeaders h = headers();
        h.append(std::pair<QByteArray, QByteArray>("Accept", "text/event-stream"));
        auto stream = std::make_unique<StreamClient>();
        if (!stream->open(m_port, buildRequest(m_port, "GET", m_path, h, {})) || stream->status() != 200)
            return nullptr;
        return stream;
    }
    int answer(const QJsonValue &id, const QJsonObject &result) const
    {
        return post({{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                     {QStringLiteral("id"), id},
                     {QStringLiteral("result"), result}})
            .status;
    }
    int close() const { return rawRequest(m_port, "DELETE", m_path, headers()).status; }

private:
    RawHeaders withKey(RawHeaders h) const
    {
        if (!m_apiKey.isEmpty())
            h.append(std::pair<QByteArray, QByteArray>("Authorization", "Bearer " + m_apiKey));
        return h;
    }
    quint16 m_port;
    QByteArray m_path;
    QByteArray m_apiKey;
    QByteArray m_sid;
};

// Reads a call's stream up to the next server->client request (returned) or its final answer
// (`final`, and an empty object is returned). Every message seen is appended to `seen`.
QJsonObject nextRequestOrFinal(StreamClient &stream, QJsonObject *final, QList<QJsonObject> *seen = nullptr)
{
    SseEvent e;
    while (stream.nextEvent(&e, 30000)) {
        if (e.data.trimmed().isEmpty())
            continue; // priming event
        const QJsonObject m = e.json();
        if (seen)
            seen->append(m);
        if (m.contains(QLatin1String("method")) && m.contains(QLatin1String("id")))
            return m;
        if (m.contains(QLatin1String("result")) || m.contains(QLatin1String("error"))) {
            *final = m;
            return {};
        }
    }
    return {};
}

QJsonObject finalOf(StreamClient &stream, QList<QJsonObject> *seen = nullptr)
{
    QJsonObject final;
    while (!nextRequestOrFinal(stream, &final, seen).isEmpty()) {
    }
    return final;
}

// The stateless (2026-07-28) tools/call with the given capabilities; a retry carries the state
// and the answers.
RawResponse statelessCall(quint16 port, int id, const QString &tool, const QJsonObject &arguments,
                          const QJsonObject &caps, const QJsonValue &requestState = QJsonValue::Undefined,
                          const QJsonObject &inputResponses = {})
{
    QJsonObject params{{QStringLiteral("name"), tool},
                       {QStringLiteral("arguments"), arguments},
                       {QStringLiteral("_meta"), modernEnvelope(caps)}};
    if (requestState.isString()) {
        params.insert(QStringLiteral("requestState"), requestState);
        params.insert(QStringLiteral("inputResponses"), inputResponses);
    }
    return postJson(port, "/mcp", rpc(id, QStringLiteral("tools/call"), params),
                    modernHeaders("tools/call", tool.toLatin1()));
}

QJsonObject resultOf(const RawResponse &r)
{
    return r.json().value(QLatin1String("result")).toObject();
}

} // namespace

class TestIsolation final : public QObject
{
    Q_OBJECT

    GatewayFixture m_fixture;
    quint16 m_port = 0;
    const QString m_sharedMarker = uniqueMarker("shared");
    const QString m_sessionMarker = uniqueMarker("session");
    const QString m_principalMarker = uniqueMarker("principal");

    // Every idle 2025 session with a GET stream open must see nothing but what the test sends
    // them: list_changed after a configuration change (which ends the check).
    QList<QJsonObject> drainUntilListChanged(StreamClient &stream)
    {
        QList<QJsonObject> seen;
        SseEvent e;
        while (stream.nextEvent(&e, 20000)) {
            if (e.data.trimmed().isEmpty())
                continue;
            const QJsonObject m = e.json();
            if (m.value(QLatin1String("method")).toString() == u"notifications/tools/list_changed")
                return seen;
            seen.append(m);
        }
        seen.append(QJsonObject{{QStringLiteral("error"), QStringLiteral("no list_changed arrived")}});
        return seen;
    }
    // A configuration change: every session hears list_changed on its GET stream.
    void touchConfig()
    {
        NamespaceConfig ns = *m_fixture.gateway()->config().ns(kDefaultNamespace);
        ns.description = QUuid::createUuid().toString();
        QCOMPARE(m_fixture.setNamespace(ns), QString());
    }
    QString warningOf(const QString &server) const
    {
        for (const UpstreamStatus &s : m_fixture.gateway()->upstreamStatuses())
            if (s.name == server)
                return s.warning;
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(peersInstalled(), "npm peers missing: run scripts/bootstrap.sh deps");
        QString error;
        QVERIFY2(m_fixture.start(&error), qPrintable(error));
        m_port = m_fixture.port();
        QCOMPARE(m_fixture.addServer(GatewayFixture::everythingStdio(QStringLiteral("shared"), m_sharedMarker)),
                 QString());
        UpstreamConfig perSession = GatewayFixture::everythingStdio(QStringLiteral("iso"), m_sessionMarker);
        perSession.isolation = UpstreamIsolation::PerSession;
        perSession.maxInstances = 4;
        QCOMPARE(m_fixture.addServer(perSession), QString());
        QVERIFY(m_fixture.waitForTool(kDefaultNamespace, QStringLiteral("shared__trigger-sampling-request")));
        QVERIFY(m_fixture.waitForTool(kDefaultNamespace, QStringLiteral("iso__trigger-elicitation-request")));
    }

    void configRoundTrip()
    {
        UpstreamConfig c = GatewayFixture::everythingStdio(QStringLiteral("x"));
        c.isolation = UpstreamIsolation::PerPrincipal;
        c.maxInstances = 3;
        c.instanceIdleMs = 1500;
        c.warmInstances = 2;
        const UpstreamConfig back = UpstreamConfig::fromJson(c.toJson());
        QCOMPARE(back.isolation, UpstreamIsolation::PerPrincipal);
        QCOMPARE(back.maxInstances, 3);
        QCOMPARE(back.instanceIdleMs, 1500);
        QCOMPARE(back.warmInstances, 2);
        QVERIFY(back == c);
        QJsonObject json = c.toJson();
        json.insert(QStringLiteral("isolation"), QStringLiteral("per-galaxy"));
        QVERIFY(UpstreamConfig::fromJson(json).validate().contains(QLatin1String("isolation")));
        c.warmInstances = 4; // more than maxInstances
        QVERIFY(c.validate().contains(QLatin1String("kept ready")));
        c.warmInstances = -1;
        QVERIFY(c.validate().contains(QLatin1String("kept ready")));
        c.warmInstances = 0;
        QVERIFY(c.validate().isEmpty());
        c.maxInstances = 0;
        QVERIFY(!c.validate().isEmpty());
        c.maxInstances = 2;
        c.kind = UpstreamKind::Rest;
        QVERIFY(c.validate().contains(QLatin1String("REST")));
    }

    // 2025-11-25, shared process: A's sampling request is A's (the only call in flight); B's
    // elicitation, sent while A's call still runs, cannot be attributed: it is refused, and
    // neither A, nor B, nor the idle session C (GET stream open, declared both) ever sees it.
    void sharedRefusesWhatItCannotAttribute()
    {
        SessionClient a(m_port), b(m_port), c(m_port);
        QVERIFY(a.initialize(kBoth));
        QVERIFY(b.initialize(kBoth));
        QVERIFY(c.initialize(kBoth));
        auto idle = c.openGetStream();
        QVERIFY(idle);

        auto streamA = a.open(toolCall(10, QStringLiteral("shared__trigger-sampling-request"),
                                       {{QStringLiteral("prompt"), QStringLiteral("prompt of A")}}));
        QVERIFY(streamA);
        QJsonObject finalA;
        QList<QJsonObject> seenA;
        const QJsonObject requestA = nextRequestOrFinal(*streamA, &finalA, &seenA);
        QCOMPARE(requestA.value(QLatin1String("method")).toString(), QStringLiteral("sampling/createMessage"));
        QVERIFY(promptOf(requestA).contains(QLatin1String("prompt of A")));

        // B's whole answer (JSON or a stream): the tool's error, and no request of anyone's.
        const RawResponse finalB = b.post(toolCall(20, QStringLiteral("shared__trigger-elicitation-request")));
        QCOMPARE(finalB.status, 200);
        QVERIFY2(finalB.body.contains("cannot tell which client"), finalB.body.constData());
        QVERIFY2(!finalB.body.contains("\"method\":\"elicitation/create\"") &&
                     !finalB.body.contains("\"method\":\"sampling/createMessage\""),
                 finalB.body.constData());

        // A answers and gets its own answer back.
        QCOMPARE(a.answer(requestA.value(QLatin1String("id")), samplingAnswer(QStringLiteral("answer of A"))), 202);
        finalA = finalOf(*streamA, &seenA);
        QVERIFY2(text(finalA).contains(QLatin1String("answer of A")), qPrintable(text(finalA)));
        for (const QJsonObject &m : std::as_const(seenA))
            QVERIFY2(m.value(QLatin1String("method")).toString() != u"elicitation/create", qPrintable(text(m)));

        touchConfig();
        const QList<QJsonObject> seenC = drainUntilListChanged(*idle);
        QVERIFY2(seenC.isEmpty(), qPrintable(u"the idle session saw: " + text(seenC.value(0))));

        // The console hears why, and what to do.
        QTRY_VERIFY2_WITH_TIMEOUT(warningOf(QStringLiteral("shared")).contains(QLatin1String("elicitation/create")) &&
                                      warningOf(QStringLiteral("shared")).contains(QLatin1String("per-session")),
                                  qPrintable(warningOf(QStringLiteral("shared"))), 5000);
        QCOMPARE(processCount(m_sharedMarker), 1);
        QCOMPARE(a.close(), 200);
        QCOMPARE(b.close(), 200);
        QCOMPARE(c.close(), 200);
    }

    // 2026-07-28, shared process: A's sampling comes back to A as input_required; B's,
    // concurrent, is refused; the idle 2025 session C sees nothing; A's retry completes.
    void sharedStatelessRefusesWhatItCannotAttribute()
    {
        SessionClient c(m_port);
        QVERIFY(c.initialize(kBoth));
        auto idle = c.openGetStream();
        QVERIFY(idle);

        const RawResponse a1 = statelessCall(m_port, 1, QStringLiteral("shared__trigger-sampling-request"),
                                             {{QStringLiteral("prompt"), QStringLiteral("stateless A")}}, kSampling);
        QVERIFY2(a1.status == 200, a1.body.constData());
        const QJsonObject roundA = resultOf(a1);
        QVERIFY2(!roundA.isEmpty(), a1.body.constData());
        QCOMPARE(roundA.value(QLatin1String("resultType")).toString(), QStringLiteral("input_required"));
        const QJsonObject inputsA = roundA.value(QLatin1String("inputRequests")).toObject();
        QCOMPARE(inputsA.size(), 1);
        QVERIFY(promptOf(inputsA.begin()->toObject()).contains(QLatin1String("stateless A")));

        // A's call is parked and its upstream request still runs: B's request is ambiguous.
        const RawResponse b1 = statelessCall(m_port, 2, QStringLiteral("shared__trigger-sampling-request"),
                                             {{QStringLiteral("prompt"), QStringLiteral("stateless B")}}, kSampling);
        QVERIFY2(resultOf(b1).value(QLatin1String("resultType")).toString() != u"input_required", b1.body.constData());
        QVERIFY2(b1.body.contains("cannot tell which client"), b1.body.constData());
        QVERIFY(!b1.body.contains("stateless A"));

        const RawResponse a2 = statelessCall(
            m_port, 3, QStringLiteral("shared__trigger-sampling-request"),
            {{QStringLiteral("prompt"), QStringLiteral("stateless A")}}, kSampling,
            roundA.value(QLatin1String("requestState")),
            QJsonObject{{inputsA.begin().key(), samplingAnswer(QStringLiteral("stateless answer of A"))}});
        QCOMPARE(resultOf(a2).value(QLatin1String("resultType")).toString(), QStringLiteral("complete"));
        QVERIFY2(a2.body.contains("stateless answer of A"), a2.body.constData());

        touchConfig();
        const QList<QJsonObject> seenC = drainUntilListChanged(*idle);
        QVERIFY2(seenC.isEmpty(), qPrintable(u"the idle session saw: " + text(seenC.value(0))));
        QCOMPARE(c.close(), 200);
    }

    // 2025-11-25, one process per session: three sessions call at once (two samplings, one
    // elicitation); each is asked its own question and gets its own answer back.
    void perSessionServesEachItsOwn()
    {
        SessionClient s[3] = {SessionClient(m_port), SessionClient(m_port), SessionClient(m_port)};
        for (SessionClient &client : s)
            QVERIFY(client.initialize(kBoth));
        const int before = processCount(m_sessionMarker);
        std::unique_ptr<StreamClient> streams[3];
        streams[0] = s[0].open(toolCall(1, QStringLiteral("iso__trigger-sampling-request"),
                                        {{QStringLiteral("prompt"), QStringLiteral("question zero")}}));
        streams[1] = s[1].open(toolCall(1, QStringLiteral("iso__trigger-sampling-request"),
                                        {{QStringLiteral("prompt"), QStringLiteral("question one")}}));
        streams[2] = s[2].open(toolCall(1, QStringLiteral("iso__trigger-elicitation-request")));
        QJsonObject requests[3];
        for (int i = 0; i < 3; ++i) {
            QVERIFY(streams[i]);
            QJsonObject final;
            requests[i] = nextRequestOrFinal(*streams[i], &final);
            QVERIFY2(!requests[i].isEmpty(), qPrintable(text(final)));
        }
        // All three asked before any was answered: three calls in flight on three processes, plus
        // the spare started for the next session (the first of them was a cold start).
        QCOMPARE(before, 1); // the instance that serves the lists
        QCOMPARE(processCount(m_sessionMarker), 1 + 3 + 1);
        QVERIFY(promptOf(requests[0]).contains(QLatin1String("question zero")));
        QVERIFY(promptOf(requests[1]).contains(QLatin1String("question one")));
        QCOMPARE(requests[2].value(QLatin1String("method")).toString(), QStringLiteral("elicitation/create"));

        QCOMPARE(s[1].answer(requests[1].value(QLatin1String("id")), samplingAnswer(QStringLiteral("reply one"))), 202);
        QCOMPARE(s[2].answer(requests[2].value(QLatin1String("id")), elicitationAnswer(QStringLiteral("Grace"))), 202);
        QCOMPARE(s[0].answer(requests[0].value(QLatin1String("id")), samplingAnswer(QStringLiteral("reply zero"))),
                 202);
        const QString f0 = text(finalOf(*streams[0]));
        const QString f1 = text(finalOf(*streams[1]));
        const QString f2 = text(finalOf(*streams[2]));
        QVERIFY2(f0.contains(QLatin1String("reply zero")) && !f0.contains(QLatin1String("reply one")), qPrintable(f0));
        QVERIFY2(f1.contains(QLatin1String("reply one")) && !f1.contains(QLatin1String("reply zero")), qPrintable(f1));
        QVERIFY2(f2.contains(QLatin1String("- Name: Grace")), qPrintable(f2));

        // A session's process ends with the session.
        for (SessionClient &client : s)
            QCOMPARE(client.close(), 200);
        QTRY_COMPARE_WITH_TIMEOUT(processCount(m_sessionMarker), 1 + 1, 15000); // lists + spare
    }

    // 2026-07-28, per session: a stateless call's flow has its own process. Two calls at once,
    // sampling and elicitation, each get their own input request and their own answer.
    void perSessionStatelessFlows()
    {
        const int before = processCount(m_sessionMarker);
        const RawResponse a1 = statelessCall(m_port, 1, QStringLiteral("iso__trigger-sampling-request"),
                                             {{QStringLiteral("prompt"), QStringLiteral("flow A")}}, kBoth);
        const RawResponse b1 = statelessCall(m_port, 2, QStringLiteral("iso__trigger-elicitation-request"), {}, kBoth);
        const QJsonObject roundA = resultOf(a1), roundB = resultOf(b1);
        QVERIFY2(!roundA.isEmpty(), a1.body.constData());
        QVERIFY2(!roundB.isEmpty(), b1.body.constData());
        QCOMPARE(roundA.value(QLatin1String("resultType")).toString(), QStringLiteral("input_required"));
        QCOMPARE(roundB.value(QLatin1String("resultType")).toString(), QStringLiteral("input_required"));
        const QJsonObject inA = roundA.value(QLatin1String("inputRequests")).toObject();
        const QJsonObject inB = roundB.value(QLatin1String("inputRequests")).toObject();
        QCOMPARE(inA.size(), 1);
        QCOMPARE(inB.size(), 1);
        QVERIFY(promptOf(inA.begin()->toObject()).contains(QLatin1String("flow A")));
        QCOMPARE(inB.begin()->toObject().value(QLatin1String("method")).toString(),
                 QStringLiteral("elicitation/create"));
        QCOMPARE(processCount(m_sessionMarker), before + 2);

        const RawResponse b2 =
            statelessCall(m_port, 3, QStringLiteral("iso__trigger-elicitation-request"), {}, kBoth,
                          roundB.value(QLatin1String("requestState")),
                          QJsonObject{{inB.begin().key(), elicitationAnswer(QStringLiteral("Ada"))}});
        const RawResponse a2 = statelessCall(
            m_port, 4, QStringLiteral("iso__trigger-sampling-request"),
            {{QStringLiteral("prompt"), QStringLiteral("flow A")}}, kBoth, roundA.value(QLatin1String("requestState")),
            QJsonObject{{inA.begin().key(), samplingAnswer(QStringLiteral("answer for flow A"))}});
        QVERIFY2(b2.body.contains("- Name: Ada"), b2.body.constData());
        QVERIFY2(a2.body.contains("answer for flow A"), a2.body.constData());
        QVERIFY(!a2.body.contains("Ada"));
        // A flow's process ends with its call.
        QTRY_COMPARE_WITH_TIMEOUT(processCount(m_sessionMarker), before, 15000);
    }

    // Per caller: the callers of a key-protected namespace get a process per API key, which
    // their sessions share; another key's sessions never reach it.
    void perPrincipal()
    {
        UpstreamConfig perPrincipal = GatewayFixture::everythingStdio(QStringLiteral("prin"), m_principalMarker);
        perPrincipal.isolation = UpstreamIsolation::PerPrincipal;
        QCOMPARE(m_fixture.addServer(perPrincipal, {}), QString());
        NamespaceConfig team;
        team.name = QStringLiteral("team");
        team.servers = {QStringLiteral("prin")};
        team.requireApiKey = true;
        QCOMPARE(m_fixture.setNamespace(team), QString());
        QVERIFY(m_fixture.waitForTool(QStringLiteral("team"), QStringLiteral("prin__echo")));
        auto createKey = [this](const QString &label) {
            std::optional<CreatedApiKey> key;
            bool done = false;
            m_fixture.gateway()->createApiKey(QStringLiteral("team"), label,
                                              [&](const std::optional<CreatedApiKey> &k) {
                                                  key = k;
                                                  done = true;
                                              });
            [[maybe_unused]] const bool answered = QTest::qWaitFor([&] { return done; }, 10000);
            return key ? key->plaintext.toLatin1() : QByteArray();
        };
        const QByteArray alice = createKey(QStringLiteral("alice")), bob = createKey(QStringLiteral("bob"));
        QVERIFY(!alice.isEmpty() && !bob.isEmpty());
        QCOMPARE(processCount(m_principalMarker), 1); // the one that serves the lists

        SessionClient a1(m_port, "/mcp/team", alice), a2(m_port, "/mcp/team", alice), b(m_port, "/mcp/team", bob);
        for (SessionClient *client : {&a1, &a2, &b})
            QVERIFY(client->initialize(kSampling));
        auto streamA = a1.open(toolCall(1, QStringLiteral("prin__trigger-sampling-request"),
                                        {{QStringLiteral("prompt"), QStringLiteral("alice asks")}}));
        auto streamB = b.open(toolCall(1, QStringLiteral("prin__trigger-sampling-request"),
                                       {{QStringLiteral("prompt"), QStringLiteral("bob asks")}}));
        QVERIFY(streamA && streamB);
        QJsonObject final;
        const QJsonObject requestA = nextRequestOrFinal(*streamA, &final);
        QVERIFY2(promptOf(requestA).contains(QLatin1String("alice asks")), qPrintable(text(final)));
        const QJsonObject requestB = nextRequestOrFinal(*streamB, &final);
        QVERIFY2(promptOf(requestB).contains(QLatin1String("bob asks")), qPrintable(text(final)));
        QCOMPARE(b.answer(requestB.value(QLatin1String("id")), samplingAnswer(QStringLiteral("bob's reply"))), 202);
        QCOMPARE(a1.answer(requestA.value(QLatin1String("id")), samplingAnswer(QStringLiteral("alice's reply"))), 202);
        const QString fa = text(finalOf(*streamA)), fb = text(finalOf(*streamB));
        QVERIFY2(fa.contains(QLatin1String("alice's reply")) && !fa.contains(QLatin1String("bob")), qPrintable(fa));
        QVERIFY2(fb.contains(QLatin1String("bob's reply")) && !fb.contains(QLatin1String("alice")), qPrintable(fb));
        // alice's second session uses alice's process: two callers, two processes (+ lists).
        const RawResponse echo =
            a2.post(toolCall(2, QStringLiteral("prin__echo"), {{QStringLiteral("message"), QStringLiteral("again")}}));
        QCOMPARE(firstText(echo.json()), QStringLiteral("Echo: again"));
        QCOMPARE(processCount(m_principalMarker), 1 + 2 + 1); // lists, alice, bob, the spare
        for (SessionClient *client : {&a1, &a2, &b})
            QCOMPARE(client->close(), 200);
    }

    // The bound: at most maxInstances isolated processes; an idle one makes room, busy ones
    // refuse a new owner with a clear error; idle processes are stopped after instanceIdleMs.
    void boundedAndReaped()
    {
        const QString marker = uniqueMarker("bounded");
        UpstreamConfig bounded = GatewayFixture::everythingStdio(QStringLiteral("one"), marker);
        bounded.isolation = UpstreamIsolation::PerSession;
        bounded.maxInstances = 1;
        bounded.instanceIdleMs = 60'000;
        QCOMPARE(m_fixture.addServer(bounded), QString());
        QVERIFY(m_fixture.waitForTool(kDefaultNamespace, QStringLiteral("one__echo")));
        SessionClient a(m_port), b(m_port), c(m_port);
        for (SessionClient *client : {&a, &b, &c})
            QVERIFY(client->initialize(kSampling));
        const auto echo = [](const QString &message) {
            return toolCall(5, QStringLiteral("one__echo"), {{QStringLiteral("message"), message}});
        };
        QCOMPARE(firstText(a.post(echo(QStringLiteral("a"))).json()), QStringLiteral("Echo: a"));
        QCOMPARE(processCount(marker), 2);
        // A's process is idle: B's call takes its place.
        QCOMPARE(firstText(b.post(echo(QStringLiteral("b"))).json()), QStringLiteral("Echo: b"));
        QTRY_COMPARE_WITH_TIMEOUT(processCount(marker), 2, 15000);
        // B's process is busy (a sampling request waits for B): C is refused.
        auto busy = b.open(toolCall(6, QStringLiteral("one__trigger-sampling-request"),
                                    {{QStringLiteral("prompt"), QStringLiteral("hold")}}));
        QVERIFY(busy);
        QJsonObject final;
        const QJsonObject held = nextRequestOrFinal(*busy, &final);
        QVERIFY(!held.isEmpty());
        const RawResponse refused = c.post(echo(QStringLiteral("c")));
        QCOMPARE(refused.json().value(QLatin1String("error")).toObject().value(QLatin1String("code")).toInt(), -32002);
        QVERIFY2(refused.body.contains("limit of 1 isolated"), refused.body.constData());
        QCOMPARE(b.answer(held.value(QLatin1String("id")), samplingAnswer(QStringLiteral("released"))), 202);
        QVERIFY(text(finalOf(*busy)).contains(QLatin1String("released")));

        // Idle reaping: a short idle time stops the process without any session ending.
        bounded.instanceIdleMs = 300;
        QCOMPARE(m_fixture.addServer(bounded), QString());
        QVERIFY(m_fixture.waitForTool(kDefaultNamespace, QStringLiteral("one__echo")));
        QTRY_COMPARE_WITH_TIMEOUT(processCount(marker), 1, 15000);
        QCOMPARE(firstText(c.post(echo(QStringLiteral("c"))).json()), QStringLiteral("Echo: c"));
        QTRY_COMPARE_WITH_TIMEOUT(processCount(marker), 1, 15000);
        for (SessionClient *client : {&a, &b, &c})
            QCOMPARE(client->close(), 200);
    }

    // warmInstances: that many processes are started ahead as soon as one is handed out, within
    // maxInstances; a new session takes one that is ready instead of waiting for a cold start.
    // With none kept ready, each session starts its own.
    void warmInstancesKeptReady()
    {
        const QString marker = uniqueMarker("warm");
        UpstreamConfig warm = GatewayFixture::everythingStdio(QStringLiteral("warm"), marker);
        warm.isolation = UpstreamIsolation::PerSession;
        warm.maxInstances = 4;
        warm.warmInstances = 3;
        QCOMPARE(m_fixture.addServer(warm), QString());
        QVERIFY(m_fixture.waitForTool(kDefaultNamespace, QStringLiteral("warm__echo")));
        QCOMPARE(processCount(marker), 1); // the one that serves the lists
        const auto echo = [](const QString &message) {
            return toolCall(7, QStringLiteral("warm__echo"), {{QStringLiteral("message"), message}});
        };
        SessionClient a(m_port), b(m_port), c(m_port);
        for (SessionClient *client : {&a, &b, &c})
            QVERIFY(client->initialize(kSampling));
        QCOMPARE(firstText(a.post(echo(QStringLiteral("a"))).json()), QStringLiteral("Echo: a"));
        QTRY_COMPARE_WITH_TIMEOUT(processCount(marker), 1 + 1 + 3, 15000); // lists, a, three ready
        QCOMPARE(firstText(b.post(echo(QStringLiteral("b"))).json()), QStringLiteral("Echo: b"));
        // b took a ready one; the bound (4) leaves room for two more ahead: no process started.
        QCOMPARE(processCount(marker), 1 + 2 + 2);
        QCOMPARE(firstText(c.post(echo(QStringLiteral("c"))).json()), QStringLiteral("Echo: c"));
        QCOMPARE(processCount(marker), 1 + 3 + 1);
        for (SessionClient *client : {&a, &b, &c})
            QCOMPARE(client->close(), 200);
        QTRY_COMPARE_WITH_TIMEOUT(processCount(marker), 1 + 1, 15000);

        warm.warmInstances = 0;
        QCOMPARE(m_fixture.addServer(warm), QString());
        QVERIFY(m_fixture.waitForTool(kDefaultNamespace, QStringLiteral("warm__echo")));
        QTRY_COMPARE_WITH_TIMEOUT(processCount(marker), 1, 15000);
        SessionClient d(m_port);
        QVERIFY(d.initialize(kSampling));
        QCOMPARE(firstText(d.post(echo(QStringLiteral("d"))).json()), QStringLiteral("Echo: d"));
        QCOMPARE(processCount(marker), 1 + 1); // nothing ahead
        QCOMPARE(d.close(), 200);
        QTRY_COMPARE_WITH_TIMEOUT(processCount(marker), 1, 15000);
    }
};

QTEST_GUILESS_MAIN(TestIsolation)
#include "tst_isolation.moc"
