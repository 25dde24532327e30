// core/inputbroker.h alone (tokens, rounds, namespaces, timeouts, the bound) on a ManualClock,
// and the Router's parked 2026-07-28 calls on the same clock: a call whose client never comes
// back expires exactly at its timeout, its upstream request fails and its call is cancelled, and
// its token stops working; a retry before the timeout restarts it.

#include "core/inputbroker.h"
#include "core/router.h"
#include "core/upstreammanager.h"
#include "fakeupstream.h"
#include "mcp/clientsession.h"
#include "model/protocol.h"

#include <QJsonArray>
#include <QTest>

using namespace metamcp;
using namespace metamcp::test;
using namespace Qt::StringLiterals;

namespace {

class TestSink final : public CallSink
{
public:
    int finishes = 0;
    QJsonObject response;
    void message(const QJsonObject &) override {}
    qint64 finish(const QJsonObject &r) override
    {
        ++finishes;
        response = r;
        return 1;
    }
};

} // namespace

class TestInputBroker final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tokensNameOneFlowInOneRound()
    {
        ManualClock clock;
        InputBroker broker(&clock);
        const QString id = broker.open(u"team"_s, u'p', {});
        QVERIFY(id.startsWith(u'p'));
        QVERIFY(broker.contains(id));
        QCOMPARE(broker.namespaceOf(id), u"team"_s);
        QVERIFY(broker.resolve(id + u".0.x"_s, u"team"_s).isEmpty()); // no round yet, no token
        const QString first = broker.nextRound(id);
        QVERIFY(first.startsWith(id + u".1."_s));
        QCOMPARE(broker.resolve(first, u"team"_s), id);
        QVERIFY(broker.resolve(first, u"other"_s).isEmpty()); // another namespace
        const QString second = broker.nextRound(id);
        QCOMPARE(broker.resolve(second, u"team"_s), id);
        QVERIFY(broker.resolve(first, u"team"_s).isEmpty()); // an earlier round
        // Tampered: another round number with the same MAC, a changed MAC, garbage.
        QString forged = second;
        forged.replace(id + u".2."_s, id + u".3."_s);
        QVERIFY(broker.resolve(forged, u"team"_s).isEmpty());
        QString flipped = second;
        flipped[flipped.size() - 1] = flipped.back() == u'A' ? u'B' : u'A';
        QVERIFY(broker.resolve(flipped, u"team"_s).isEmpty());
        QVERIFY(broker.resolve(QString(), u"team"_s).isEmpty());
        QVERIFY(broker.resolve(u"."_s, u"team"_s).isEmpty());
        QVERIFY(broker.resolve(id, u"team"_s).isEmpty());
        // Another broker (another process) has another key.
        InputBroker other(&clock);
        const QString theirs = other.open(u"team"_s, u'p', {});
        QVERIFY(broker.resolve(other.nextRound(theirs), u"team"_s).isEmpty());
        broker.close(id);
        QVERIFY(broker.resolve(second, u"team"_s).isEmpty());
        QVERIFY(broker.nextRound(id).isEmpty());
    }

    void flowsExpireOnTheClock()
    {
        ManualClock clock;
        InputBroker broker(&clock);
        broker.setTimeoutMs(1000);
        QStringList expired;
        const QString a = broker.open(u"ns"_s, u'p', [&](const QString &id) { expired << id; });
        const QString b = broker.open(u"ns"_s, u'u', [&](const QString &id) { expired << id; });
        const QString c = broker.open(u"ns"_s, u'p', [&](const QString &id) { expired << id; });
        const QString tokenA = broker.nextRound(a);
        clock.advance(600);
        broker.touch(b);     // restarted: now due at 1600
        broker.nextRound(c); // a round restarts it too
        broker.close(a);     // closed: its callback never runs
        clock.advance(399);
        QVERIFY(expired.isEmpty());
        clock.advance(1);
        QVERIFY(expired.isEmpty()); // a was closed; b and c were restarted
        clock.advance(599);
        QVERIFY(expired.isEmpty());
        clock.advance(1);
        QCOMPARE(expired, (QStringList{b, c}));
        QCOMPARE(broker.size(), 0);
        QVERIFY(broker.resolve(tokenA, u"ns"_s).isEmpty());
        QCOMPARE(clock.pending(), 0);
    }

    void boundedAndCleanOnDestruction()
    {
        ManualClock clock;
        {
            InputBroker broker(&clock);
            broker.setCapacity(2);
            QVERIFY(!broker.open(u"ns"_s, u'p', {}).isEmpty());
            const QString second = broker.open(u"ns"_s, u'p', {});
            QVERIFY(!second.isEmpty());
            QVERIFY(broker.isFull());
            QVERIFY(broker.open(u"ns"_s, u'p', {}).isEmpty());
            broker.close(second);
            QVERIFY(!broker.open(u"ns"_s, u'p', {}).isEmpty());
            QCOMPARE(clock.pending(), 2);
        }
        QCOMPARE(clock.pending(), 0); // no callback into a destroyed broker
    }

    // The Router's parked calls (a stateless caller whose tool asks for sampling) on the clock.
    void parkedCallExpiresOnTheRoutersClock()
    {
        ManualClock clock;
        UpstreamManager upstreams;
        upstreams.setFactory([](const UpstreamConfig &config, QObject *parent) {
            auto u = std::make_unique<FakeUpstream>(config, parent);
            u->tools = QJsonArray{QJsonObject{{u"name"_s, u"ask"_s}}};
            u->askSampling = true;
            return u;
        });
        Router router(&upstreams);
        router.setClock(&clock);
        router.setParkTimeoutMs(60'000);
        UpstreamConfig server;
        server.name = u"fake"_s;
        NamespaceConfig ns;
        ns.name = kDefaultNamespace;
        ns.servers = {server.name};
        GatewayConfig config;
        config.servers = {server};
        config.namespaces = {ns};
        upstreams.apply(config.servers);
        router.setConfig(config);
        QTRY_VERIFY(upstreams.registry(u"fake"_s) && upstreams.registry(u"fake"_s)->loaded);
        auto *fake = static_cast<FakeUpstream *>(upstreams.upstream(u"fake"_s));

        auto *session = new ClientSession(u"s"_s, kDefaultNamespace, ClientSession::Transport::Stateless, &router);
        session->protocolVersion = mcp::V2026_07_28;
        session->clientCapabilities = QJsonObject{{u"sampling"_s, QJsonObject{}}};
        session->initialized = true;
        auto call = [&](int id, const QJsonObject &params) {
            auto sink = std::make_shared<TestSink>();
            router.handleRequest(session, jsonrpc::request(id, u"tools/call"_s, params), sink);
            return sink;
        };
        auto first = call(1, QJsonObject{{u"name"_s, u"fake__ask"_s}});
        QTRY_COMPARE(first->finishes, 1);
        const QJsonObject round = first->response.value(u"result"_s).toObject();
        QCOMPARE(round.value(u"resultType"_s).toString(), u"input_required"_s);
        const QString state = round.value(u"requestState"_s).toString();
        QVERIFY(state.startsWith(u'p'));
        QCOMPARE(router.parkedCount(), 1);

        // Nothing happens before the timeout, however long the real time.
        clock.advance(59'999);
        QCOMPARE(router.parkedCount(), 1);
        QVERIFY(fake->samplingAnswers.isEmpty());
        QVERIFY(fake->cancelled.isEmpty());
        clock.advance(1);
        QCOMPARE(router.parkedCount(), 0);
        QCOMPARE(fake->samplingAnswers.size(), 1);
        QCOMPARE(jsonrpc::errorCode(fake->samplingAnswers.first()), rpcerr::Timeout);
        QCOMPARE(fake->cancelled, (QStringList{u"the client did not answer in time"_s}));

        // The retry with the expired state is refused.
        const QJsonObject key = round.value(u"inputRequests"_s).toObject();
        QCOMPARE(key.size(), 1);
        auto late = call(2, QJsonObject{{u"name"_s, u"fake__ask"_s},
                                        {u"requestState"_s, state},
                                        {u"inputResponses"_s,
                                         QJsonObject{{key.begin().key(), QJsonObject{{u"role"_s, u"assistant"_s}}}}}});
        QTRY_COMPARE(late->finishes, 1);
        QCOMPARE(jsonrpc::errorCode(late->response), rpcerr::InvalidParams);
        QVERIFY(late->response.value(u"error"_s).toObject().value(u"message"_s).toString().contains(u"expired"_s));
        upstreams.stopAll();
    }
};

QTEST_GUILESS_MAIN(TestInputBroker)
#include "tst_inputbroker.moc"
