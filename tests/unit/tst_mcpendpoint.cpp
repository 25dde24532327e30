// McpHttpEndpoint without sockets: a real Router and UpstreamManager (a namespace with no
// upstreams, so every answer is the gateway's own) and an in-memory HttpResponder that records
// what the endpoint answers. Covers the request checks the HTTP tests do not reach: CORS
// preflight, Host/Origin allow-lists, 2025-03-26 batches, the 2026-07-28 envelope and header
// checks, the legacy SSE transport's errors, keep-alive comments and the idle-session sweep.

// router.h and mcphttpendpoint.h name QTimer without including it (the gateway's precompiled
// header does), so it comes first here.
#include <QTimer>

#include "core/router.h"
#include "core/upstreammanager.h"
#include "mcp/mcphttpendpoint.h"
#include "model/protocol.h"
#include "upstream/upstream.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace metamcp;
using namespace Qt::StringLiterals;
using metamcp::http::HttpHeaders;
using metamcp::http::HttpRequest;

namespace {

const QByteArray kBothAccepted = "application/json, text/event-stream";

// Records one answer: respond() or beginStream() + chunks (+ endStream()).
class MemoryResponder final : public http::HttpResponder
{
    Q_OBJECT
public:
    int status = 0;
    HttpHeaders headers;
    QByteArray body;
    bool streaming = false;
    bool finished = false;

    void respond(int s, const HttpHeaders &h, const QByteArray &b) override
    {
        QVERIFY2(!finished && !streaming, "answered twice");
        status = s;
        headers = h;
        body = b;
        finished = true;
    }
    void beginStream(int s, const HttpHeaders &h) override
    {
        QVERIFY2(!finished && !streaming, "answered twice");
        status = s;
        headers = h;
        streaming = true;
    }
    void writeChunk(const QByteArray &data) override
    {
        QVERIFY2(streaming && !finished, "chunk outside a stream");
        body += data;
    }
    void endStream() override { finished = true; }
    bool isFinished() const override { return finished; }
    bool isStreaming() const override { return streaming; }
    qint64 pendingBytes() const override { return 0; }

    QByteArray header(QByteArrayView name) const
    {
        for (const auto &h : headers)
            if (name.compare(h.first, Qt::CaseInsensitive) == 0)
                return h.second;
        return {};
    }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    int errorCode() const { return jsonrpc::errorCode(json()); }
    // The JSON messages of an SSE body ("data: {...}" lines; not the legacy endpoint event).
    QList<QJsonObject> events() const
    {
        QList<QJsonObject> out;
        for (const QByteArray &line : body.split('\n'))
            if (line.startsWith("data: {"))
                out.append(QJsonDocument::fromJson(line.mid(6)).object());
        return out;
    }
};

using Headers = QList<std::pair<QByteArray, QByteArray>>;

HttpRequest makeRequest(const QByteArray &method, const QByteArray &target, const Headers &headers = {},
                        const QByteArray &body = {})
{
    HttpRequest r;
    r.method = method;
    r.target = target;
    const qsizetype q = target.indexOf('?');
    r.path = q < 0 ? target : target.left(q);
    if (q >= 0)
        r.query = QUrlQuery(QString::fromUtf8(target.mid(q + 1)));
    r.version = "HTTP/1.1";
    bool host = false;
    for (const auto &[name, value] : headers) {
        r.headers.append({name.toLower(), value});
        host |= name.toLower() == "host";
    }
    if (!host)
        r.headers.prepend({"host", "127.0.0.1:8787"});
    r.body = body;
    r.peerAddress = QHostAddress::LocalHost;
    r.peerPort = 40000;
    r.localPort = 8787;
    return r;
}

// The same request without any Host header (makeRequest adds one unless given).
HttpRequest withoutHost(HttpRequest r)
{
    r.headers.removeIf([](const auto &h) { return h.first == "host"; });
    return r;
}

QJsonObject initializeRequest()
{
    return jsonrpc::request(1, u"initialize"_s,
                            {{u"protocolVersion"_s, mcp::V2025_11_25},
                             {u"capabilities"_s, QJsonObject{}},
                             {u"clientInfo"_s, QJsonObject{{u"name"_s, u"t"_s}, {u"version"_s, u"1"_s}}}});
}

QByteArray compact(const QJsonValue &v)
{
    return v.isArray() ? QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact)
                       : QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact);
}

QJsonObject statelessMeta()
{
    return QJsonObject{{mcp::kMetaProtocolVersion, mcp::V2026_07_28},
                       {mcp::kMetaClientCapabilities, QJsonObject{}},
                       {mcp::kMetaClientInfo, QJsonObject{{QStringLiteral("name"), QStringLiteral("tst")},
                                                          {QStringLiteral("version"), QStringLiteral("1")}}}};
}

// A 2026-07-28 request with the given _meta (and params).
QJsonObject statelessRequest(const QString &method, const QJsonObject &meta, QJsonObject params = {})
{
    params.insert(QStringLiteral("_meta"), meta);
    return jsonrpc::request(1, method, params);
}

// Endpoint + router + (empty) upstream manager, torn down in the right order.
struct Rig
{
    UpstreamManager upstreams;
    Router router{&upstreams};
    McpHttpEndpoint endpoint{&router};
    std::vector<std::unique_ptr<MemoryResponder>> responders;

    explicit Rig(const ListenConfig &listen = {}, bool requireKey = false)
    {
        GatewayConfig config;
        config.listen = listen;
        NamespaceConfig def;
        def.name = kDefaultNamespace;
        NamespaceConfig team;
        team.name = QStringLiteral("team");
        NamespaceConfig locked;
        locked.name = QStringLiteral("locked");
        locked.requireApiKey = requireKey;
        config.namespaces = {def, team, locked};
        router.setConfig(config);
        endpoint.setListenConfig(listen);
        endpoint.setAuthenticator(std::make_shared<BearerKeyAuthenticator>(
            [](const QString &ns, const QString &key) -> std::optional<Principal> {
                if (ns == u"locked" && key == u"good-key")
                    return Principal::apiKey(7, u"tester"_s, u"mcp_good"_s);
                if (ns == u"locked" && key == u"other-key")
                    return Principal::apiKey(8, u"other"_s, u"mcp_othe"_s);
                return std::nullopt;
            }));
    }
    ~Rig() { endpoint.closeAllSessions(); }

    MemoryResponder *send(const HttpRequest &request)
    {
        responders.push_back(std::make_unique<MemoryResponder>());
        endpoint.handleRequest(request, responders.back().get());
        return responders.back().get();
    }
    MemoryResponder *post(const QByteArray &path, const QJsonValue &message, Headers headers = {})
    {
        headers.prepend({"Accept", kBothAccepted});
        headers.prepend({"Content-Type", "application/json"});
        return send(makeRequest("POST", path, headers, compact(message)));
    }
    // initialize on `path`; returns the session id ("" on failure).
    QByteArray initialize(const QString &version = mcp::V2025_11_25, const QByteArray &path = "/mcp",
                          Headers headers = {})
    {
        const QJsonObject params{
            {QStringLiteral("protocolVersion"), version},
            {QStringLiteral("capabilities"), QJsonObject{}},
            {QStringLiteral("clientInfo"),
             QJsonObject{{QStringLiteral("name"), QStringLiteral("t")}, {QStringLiteral("version"), u"1"_s}}}};
        MemoryResponder *r = post(path, jsonrpc::request(1, QStringLiteral("initialize"), params), headers);
        if (r->status != 200)
            return {};
        return r->header("mcp-session-id");
    }
    // The client goes away: like HttpConnection, `closed` and then the responder is deleted.
    void disconnect(MemoryResponder *responder)
    {
        Q_EMIT responder->closed();
        std::erase_if(responders, [responder](const auto &r) { return r.get() == responder; });
    }
    MemoryResponder *postStateless(const QJsonObject &message, Headers extra = {})
    {
        Headers headers{{"MCP-Protocol-Version", mcp::V2026_07_28.toLatin1()},
                        {"Mcp-Method", message.value(QLatin1String("method")).toString().toUtf8()}};
        headers.append(extra);
        return post("/mcp", message, headers);
    }
};

} // namespace

class TestMcpEndpoint final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void corsPreflight();
    void hostAllowList_data();
    void hostAllowList();
    void originAllowList_data();
    void originAllowList();
    void hostHeaderRules();
    void mcpHeaderRules_data();
    void mcpHeaderRules();
    void contentTypes_data();
    void contentTypes();
    void controlCharactersInBodies_data();
    void controlCharactersInBodies();
    void acceptHeaderWildcards_data();
    void acceptHeaderWildcards();
    void namespacePaths_data();
    void namespacePaths();
    void nonObjectBodies_data();
    void nonObjectBodies();
    void batchOn2025_03_26();
    void batchOfNotificationsOnly();
    void initializeMisuse();
    void modernHeaderWithoutEnvelope();
    void statelessEnvelopeErrors_data();
    void statelessEnvelopeErrors();
    void statelessNotificationAndResponse();
    void listenNeedsFilter();
    void listenHonoursStringUrisOnly();
    void getStreamErrors();
    void deleteNeedsSession();
    void legacyTransportErrors();
    void legacyTransportNeedsKey();
    void asynchronousAuthenticator();
    void sessionLimits();
    void keepAliveComments();
    void streamResponsesShareHeaders();
    void idleSessionsAreSwept();
};

void TestMcpEndpoint::corsPreflight()
{
    Rig rig;
    MemoryResponder *r = rig.send(makeRequest("OPTIONS", "/mcp", {{"Origin", "http://localhost:6274"}}));
    QCOMPARE(r->status, 204);
    QVERIFY(r->body.isEmpty());
    QCOMPARE(r->header("access-control-allow-origin"), QByteArray("http://localhost:6274"));
    QCOMPARE(r->header("vary"), QByteArray("Origin"));
    QVERIFY(r->header("access-control-expose-headers").contains("Mcp-Session-Id"));
    const QByteArray methods = r->header("access-control-allow-methods");
    for (const char *m : {"GET", "POST", "DELETE", "OPTIONS"})
        QVERIFY2(methods.contains(m), methods.constData());
    const QByteArray allowed = r->header("access-control-allow-headers");
    for (const char *h : {"Content-Type", "Mcp-Session-Id", "MCP-Protocol-Version", "Last-Event-ID", "Mcp-Method"})
        QVERIFY2(allowed.contains(h), allowed.constData());
    QCOMPARE(r->header("access-control-max-age"), QByteArray("600"));

    // A tool's Mcp-Param-<Name> headers (x-mcp-header) are allowed when the browser asks for
    // them; other or malformed names are not echoed.
    r = rig.send(
        makeRequest("OPTIONS", "/mcp",
                    {{"Origin", "http://localhost:6274"},
                     {"Access-Control-Request-Headers",
                      "content-type, mcp-param-region,Mcp-Param-Count , x-other, mcp-param-a b, mcp-param-"}}));
    QCOMPARE(r->status, 204);
    const QByteArray withParams = r->header("access-control-allow-headers");
    QVERIFY2(withParams.endsWith(", mcp-param-region, Mcp-Param-Count"), withParams.constData());
    QVERIFY2(!withParams.contains("x-other") && !withParams.contains("a b"), withParams.constData());

    // The preflight of a foreign origin is refused like any other request from it.
    r = rig.send(makeRequest("OPTIONS", "/mcp", {{"Origin", "https://evil.example"}}));
    QCOMPARE(r->status, 403);
    QVERIFY(r->header("access-control-allow-origin").isEmpty());
    // Preflight for the legacy endpoints too.
    r = rig.send(makeRequest("OPTIONS", "/sse/team", {{"Origin", "http://127.0.0.1:3000"}}));
    QCOMPARE(r->status, 204);
    QCOMPARE(r->header("access-control-allow-origin"), QByteArray("http://127.0.0.1:3000"));
}

void TestMcpEndpoint::hostAllowList_data()
{
    QTest::addColumn<QString>("listenAddress");
    QTest::addColumn<QStringList>("allowedHosts");
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<int>("status");

    const QString loopback = QStringLiteral("127.0.0.1");
    QTest::newRow("loopback name") << loopback << QStringList() << QByteArray("localhost:8787") << 200;
    QTest::newRow("ipv6 loopback") << loopback << QStringList() << QByteArray("[::1]:8787") << 200;
    QTest::newRow("ipv6 loopback no port") << loopback << QStringList() << QByteArray("[::1]") << 200;
    QTest::newRow("sub.localhost") << loopback << QStringList() << QByteArray("app.localhost") << 200;
    QTest::newRow("foreign") << loopback << QStringList() << QByteArray("evil.example:8787") << 403;
    QTest::newRow("foreign ipv6") << loopback << QStringList() << QByteArray("[2001:db8::1]:8787") << 403;
    QTest::newRow("unterminated bracket") << loopback << QStringList() << QByteArray("[::1") << 403;
    QTest::newRow("allowed host") << loopback << QStringList{QStringLiteral("Gateway.Example")}
                                  << QByteArray("gateway.example:8787") << 200;
    QTest::newRow("other than allowed") << loopback << QStringList{QStringLiteral("gateway.example")}
                                        << QByteArray("gateway.example.evil:8787") << 403;
    // Listening on a specific address: that address is a valid Host.
    QTest::newRow("own address") << QStringLiteral("192.0.2.10") << QStringList() << QByteArray("192.0.2.10:8787")
                                 << 200;
    QTest::newRow("own ipv6 address") << QStringLiteral("2001:db8::5") << QStringList()
                                      << QByteArray("[2001:db8::5]:8787") << 200;
    QTest::newRow("not own address") << QStringLiteral("192.0.2.10") << QStringList() << QByteArray("192.0.2.11:8787")
                                     << 403;
    // Listening on every address: no address is implicitly allowed.
    QTest::newRow("any") << QStringLiteral("0.0.0.0") << QStringList() << QByteArray("192.0.2.10:8787") << 403;
}

void TestMcpEndpoint::hostAllowList()
{
    QFETCH(QString, listenAddress);
    QFETCH(QStringList, allowedHosts);
    QFETCH(QByteArray, host);
    QFETCH(int, status);
    ListenConfig listen;
    listen.address = QHostAddress(listenAddress);
    listen.allowedHosts = allowedHosts;
    Rig rig(listen);
    MemoryResponder *r = rig.send(makeRequest("GET", "/mcp", {{"Host", host}, {"Accept", "text/event-stream"}}));
    if (status == 403) {
        QCOMPARE(r->status, 403);
        QVERIFY2(r->json().value(u"error"_s).toObject().value(u"message"_s).toString().contains(u"Host"),
                 r->body.constData());
        return;
    }
    // Past the Host check: the GET fails for want of a session, not for the Host.
    QCOMPARE(r->status, 400);
    QVERIFY2(r->body.contains("Mcp-Session-Id"), r->body.constData());
    QVERIFY(!rig.initialize(mcp::V2025_11_25, "/mcp", {{"Host", host}}).isEmpty());
}

void TestMcpEndpoint::originAllowList_data()
{
    QTest::addColumn<QStringList>("allowedOrigins");
    QTest::addColumn<QByteArray>("origin");
    QTest::addColumn<bool>("allowed");

    QTest::newRow("localhost") << QStringList() << QByteArray("http://localhost:6274") << true;
    QTest::newRow("ipv6 loopback") << QStringList() << QByteArray("http://[::1]:6274") << true;
    QTest::newRow("https loopback") << QStringList() << QByteArray("https://127.0.0.1") << true;
    QTest::newRow("foreign") << QStringList() << QByteArray("https://app.example") << false;
    QTest::newRow("non-http scheme") << QStringList() << QByteArray("file://localhost") << false;
    QTest::newRow("null") << QStringList() << QByteArray("null") << false;
    QTest::newRow("listed") << QStringList{QStringLiteral("https://app.example")} << QByteArray("https://app.example")
                            << true;
    QTest::newRow("listed other port") << QStringList{QStringLiteral("https://app.example")}
                                       << QByteArray("https://app.example:8443") << false;
    QTest::newRow("wildcard") << QStringList{QStringLiteral("*")} << QByteArray("https://anything.example") << true;
}

void TestMcpEndpoint::originAllowList()
{
    QFETCH(QStringList, allowedOrigins);
    QFETCH(QByteArray, origin);
    QFETCH(bool, allowed);
    ListenConfig listen;
    listen.allowedOrigins = allowedOrigins;
    Rig rig(listen);
    const QByteArray session = rig.initialize(mcp::V2025_11_25, "/mcp", {{"Origin", origin}});
    QCOMPARE(!session.isEmpty(), allowed);
    MemoryResponder *last = rig.responders.back().get();
    if (allowed) {
        // Responses to an allowed browser origin carry CORS headers.
        QCOMPARE(last->header("access-control-allow-origin"), origin);
    } else {
        QCOMPARE(last->status, 403);
        QVERIFY2(last->body.contains("Origin"), last->body.constData());
        QCOMPARE(rig.endpoint.sessionCount(), 0);
    }
}

void TestMcpEndpoint::hostHeaderRules()
{
    // RFC 9112 3.2: an HTTP/1.1 request without Host, or with more than one, is a bad request (400),
    // not a foreign host (403). The HTTP server refuses both before any handler; the endpoint,
    // which can be handed requests without a server, holds to the same rule.
    Rig rig;
    const Headers post{{"Content-Type", "application/json"}, {"Accept", kBothAccepted}};
    const QByteArray init = compact(initializeRequest());
    MemoryResponder *r = rig.send(withoutHost(makeRequest("POST", "/mcp", post, init)));
    QCOMPARE(r->status, 400);
    QCOMPARE(r->errorCode(), rpcerr::InvalidRequest);
    QVERIFY2(r->body.contains("Host"), r->body.constData());
    r = rig.send(withoutHost(makeRequest("GET", "/sse")));
    QCOMPARE(r->status, 400);
    QVERIFY2(r->body.contains("Host"), r->body.constData());

    // Two Host headers: the first may be allowed and the second not; neither is chosen.
    for (const QByteArray &second : {QByteArray("evil.example"), QByteArray("127.0.0.1:8787")}) {
        HttpRequest request = makeRequest("POST", "/mcp", post, init);
        request.headers.emplaceBack("host", second);
        r = rig.send(request);
        QCOMPARE(r->status, 400);
        QCOMPARE(r->errorCode(), rpcerr::InvalidRequest);
        QVERIFY2(r->body.contains("Host"), r->body.constData());
    }
    QCOMPARE(rig.endpoint.sessionCount(), 0);

    // A present but empty Host is no loopback name: refused as foreign.
    r = rig.send(makeRequest("POST", "/mcp", Headers{{"Host", ""}} + post, init));
    QCOMPARE(r->status, 403);

    // HTTP/1.0 does not require Host: such a request is served (a browser always sends Host).
    HttpRequest old = withoutHost(makeRequest("POST", "/mcp", post, init));
    old.version = "HTTP/1.0";
    r = rig.send(old);
    QCOMPARE(r->status, 200);
    QVERIFY(!r->header("mcp-session-id").isEmpty());
    // ... but not with two.
    old = makeRequest("POST", "/mcp", post, init);
    old.version = "HTTP/1.0";
    old.headers.emplaceBack("host", "localhost");
    r = rig.send(old);
    QCOMPARE(r->status, 400);
}

void TestMcpEndpoint::mcpHeaderRules_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("body"); // initialize, request (tools/list of the session) or stateless
    QTest::addColumn<Headers>("headers");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("message"); // in the error body

    // "<session>" stands for the id of a live session.
    const QByteArray s = "<session>";
    const QByteArray v = mcp::V2025_11_25.toLatin1();
    QTest::newRow("one session id") << QByteArray("POST") << u"request"_s << Headers{{"Mcp-Session-Id", s}} << 200
                                    << QByteArray();
    QTest::newRow("two session ids") << QByteArray("POST") << u"request"_s
                                     << Headers{{"Mcp-Session-Id", s}, {"Mcp-Session-Id", s}} << 400
                                     << QByteArray("Mcp-Session-Id");
    QTest::newRow("two different session ids")
        << QByteArray("POST") << u"request"_s << Headers{{"Mcp-Session-Id", s}, {"mcp-session-id", "other"}} << 400
        << QByteArray("Mcp-Session-Id");
    QTest::newRow("two session ids on GET")
        << QByteArray("GET") << QString() << Headers{{"Mcp-Session-Id", s}, {"Mcp-Session-Id", s}} << 400
        << QByteArray("Mcp-Session-Id");
    QTest::newRow("two session ids on DELETE")
        << QByteArray("DELETE") << QString() << Headers{{"Mcp-Session-Id", s}, {"Mcp-Session-Id", s}} << 400
        << QByteArray("Mcp-Session-Id");
    QTest::newRow("empty session id") << QByteArray("POST") << u"request"_s << Headers{{"Mcp-Session-Id", ""}} << 400
                                      << QByteArray("Mcp-Session-Id");
    QTest::newRow("empty session id on initialize")
        << QByteArray("POST") << u"initialize"_s << Headers{{"Mcp-Session-Id", ""}} << 400
        << QByteArray("Mcp-Session-Id");
    QTest::newRow("empty version on initialize")
        << QByteArray("POST") << u"initialize"_s << Headers{{"MCP-Protocol-Version", ""}} << 400
        << QByteArray("MCP-Protocol-Version");
    QTest::newRow("empty version in a session")
        << QByteArray("POST") << u"request"_s << Headers{{"Mcp-Session-Id", s}, {"MCP-Protocol-Version", ""}} << 400
        << QByteArray("MCP-Protocol-Version");
    QTest::newRow("empty version on GET")
        << QByteArray("GET") << QString() << Headers{{"Mcp-Session-Id", s}, {"MCP-Protocol-Version", ""}} << 400
        << QByteArray("MCP-Protocol-Version");
    QTest::newRow("two versions") << QByteArray("POST") << u"request"_s
                                  << Headers{{"Mcp-Session-Id", s},
                                             {"MCP-Protocol-Version", v},
                                             {"mcp-protocol-version", v}}
                                  << 400 << QByteArray("MCP-Protocol-Version");
    QTest::newRow("two methods, stateless") << QByteArray("POST") << u"stateless"_s
                                            << Headers{{"Mcp-Method", "tools/list"}} << 400 << QByteArray("Mcp-Method");
    QTest::newRow("stateless") << QByteArray("POST") << u"stateless"_s << Headers() << 200 << QByteArray();
}

void TestMcpEndpoint::mcpHeaderRules()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, body);
    QFETCH(Headers, headers);
    QFETCH(int, status);
    QFETCH(QByteArray, message);

    Rig rig;
    const QByteArray session = rig.initialize();
    QVERIFY(!session.isEmpty());
    for (auto &[name, value] : headers)
        value.replace("<session>", session);
    MemoryResponder *r = nullptr;
    if (body == u"stateless") {
        r = rig.postStateless(statelessRequest(u"tools/list"_s, statelessMeta()), headers);
    } else if (method == "POST") {
        r = rig.post("/mcp", body == u"initialize" ? initializeRequest() : jsonrpc::request(2, u"tools/list"_s),
                     headers);
    } else {
        headers.emplaceBack("Accept", "text/event-stream");
        r = rig.send(makeRequest(method, "/mcp", headers));
    }
    QCOMPARE(r->status, status);
    if (status == 400) {
        QCOMPARE(r->errorCode(), rpcerr::InvalidRequest);
        QVERIFY2(r->json()
                     .value(u"error"_s)
                     .toObject()
                     .value(u"message"_s)
                     .toString()
                     .contains(QString::fromLatin1(message)),
                 r->body.constData());
        QCOMPARE(rig.endpoint.sessionCount(), 1); // nothing created, nothing ended
    }
}

void TestMcpEndpoint::contentTypes_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("exact") << QByteArray("application/json") << true;
    QTest::newRow("case-insensitive") << QByteArray("Application/JSON") << true;
    QTest::newRow("charset") << QByteArray("application/json; charset=utf-8") << true;
    QTest::newRow("parameter without space") << QByteArray("application/json;charset=UTF-8") << true;
    QTest::newRow("space before semicolon") << QByteArray("application/json ; charset=utf-8") << true;
    QTest::newRow("tab before semicolon") << QByteArray("application/json\t;x=y") << true;
    QTest::newRow("empty parameter list") << QByteArray("application/json;") << true;
    QTest::newRow("jsonx") << QByteArray("application/jsonx") << false;
    QTest::newRow("json-seq") << QByteArray("application/json-seq") << false;
    QTest::newRow("json suffix") << QByteArray("application/json+x") << false;
    QTest::newRow("jsonx with parameter") << QByteArray("application/jsonx; charset=utf-8") << false;
    QTest::newRow("structured suffix type") << QByteArray("application/vnd.api+json") << false;
    QTest::newRow("prefix only") << QByteArray("application/jso") << false;
    QTest::newRow("text/json") << QByteArray("text/json") << false;
    QTest::newRow("space in type") << QByteArray("application/ json") << false;
    QTest::newRow("list") << QByteArray("application/json, text/plain") << false;
    QTest::newRow("text/plain") << QByteArray("text/plain") << false;
    QTest::newRow("empty") << QByteArray("") << false;
}

void TestMcpEndpoint::contentTypes()
{
    QFETCH(QByteArray, contentType);
    QFETCH(bool, accepted);
    Rig rig;
    // Streamable HTTP.
    MemoryResponder *r = rig.send(makeRequest(
        "POST", "/mcp", {{"Content-Type", contentType}, {"Accept", kBothAccepted}}, compact(initializeRequest())));
    QCOMPARE(r->status, accepted ? 200 : 415);
    if (!accepted) {
        QCOMPARE(r->errorCode(), rpcerr::InvalidRequest);
        QVERIFY2(r->body.contains("application/json"), r->body.constData());
    }
    // Legacy HTTP+SSE.
    MemoryResponder *sse = rig.send(makeRequest("GET", "/sse", {{"Accept", "text/event-stream"}}));
    const QByteArray endpoint = sse->body.split('\n').value(1).mid(6);
    QVERIFY2(endpoint.startsWith("/messages?sessionId="), sse->body.constData());
    r = rig.send(
        makeRequest("POST", endpoint, {{"Content-Type", contentType}}, compact(jsonrpc::request(3, u"ping"_s))));
    QCOMPARE(r->status, accepted ? 202 : 415);
}

void TestMcpEndpoint::controlCharactersInBodies_data()
{
    QTest::addColumn<QByteArray>("text"); // the value of a string in the message, as sent
    QTest::addColumn<bool>("parseError");
    QTest::newRow("plain") << QByteArray("abc") << false;
    QTest::newRow("escaped control characters") << QByteArray(R"(a\u0001\t\n\u001fb)") << false;
    QTest::newRow("DEL") << QByteArray("a\x7f"
                                       "b")
                         << false;
    QTest::newRow("raw U+0001") << QByteArray("a\x01"
                                              "b")
                                << true;
    QTest::newRow("raw U+001F") << QByteArray("a\x1f"
                                              "b")
                                << true;
    QTest::newRow("raw tab") << QByteArray("a\tb") << true;
    QTest::newRow("raw line feed") << QByteArray("a\nb") << true;
    QTest::newRow("raw carriage return") << QByteArray("a\rb") << true;
    QTest::newRow("raw NUL") << QByteArray("a\0b", 3) << true;
}

// RFC 8259 7: control characters in strings must be escaped. QJsonDocument takes them raw; every
// transport that reads a client message answers -32700 instead (stdio: tst_metamcpd).
void TestMcpEndpoint::controlCharactersInBodies()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, parseError);
    Rig rig;
    const QByteArray init = R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":")" +
                            mcp::V2025_11_25.toLatin1() + R"(","capabilities":{},"clientInfo":{"name":")" + text +
                            R"(","version":"1"}}})";
    // Pretty-printed: line breaks between tokens are whitespace, not a control character in a string.
    const QByteArray pretty =
        "{\n\t\"jsonrpc\": \"2.0\",\r\n\t\"id\": 2,\n\t\"method\": \"ping\",\n\t\"params\": {\"note\": \"" + text +
        "\"}\n}\n";
    const QByteArray stateless = R"({"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"_meta":{")" +
                                 mcp::kMetaProtocolVersion.toLatin1() + R"(":")" + mcp::V2026_07_28.toLatin1() +
                                 R"(",")" + mcp::kMetaClientCapabilities.toLatin1() + R"(":{},"x":")" + text +
                                 R"("}}})";
    const Headers post{{"Content-Type", "application/json"}, {"Accept", kBothAccepted}};
    auto check = [&](MemoryResponder *r, int okStatus) {
        if (parseError) {
            QCOMPARE(r->status, 400);
            QCOMPARE(r->errorCode(), rpcerr::ParseError);
            QVERIFY2(r->body.contains("control character"), r->body.constData());
            QVERIFY(r->json().value(u"id"_s).isNull());
        } else {
            QCOMPARE(r->status, okStatus);
        }
    };

    MemoryResponder *r = rig.send(makeRequest("POST", "/mcp", post, init));
    check(r, 200);
    QCOMPARE(rig.endpoint.sessionCount(), parseError ? 0 : 1);
    if (QTest::currentTestFailed())
        return;
    const QByteArray session = rig.initialize();
    r = rig.send(makeRequest("POST", "/mcp", post + Headers{{"Mcp-Session-Id", session}}, pretty));
    check(r, 200);
    if (QTest::currentTestFailed())
        return;
    r = rig.send(
        makeRequest("POST", "/mcp",
                    post + Headers{{"MCP-Protocol-Version", mcp::V2026_07_28.toLatin1()}, {"Mcp-Method", "tools/list"}},
                    stateless));
    check(r, 200);
    // In a 2025-03-26 batch.
    const QByteArray old = rig.initialize(mcp::V2025_03_26);
    r = rig.send(makeRequest("POST", "/mcp", post + Headers{{"Mcp-Session-Id", old}}, '[' + pretty + ']'));
    check(r, 200);
    if (QTest::currentTestFailed())
        return;

    // Legacy HTTP+SSE: errors are answered on the POST.
    MemoryResponder *sse = rig.send(makeRequest("GET", "/sse", {{"Accept", "text/event-stream"}}));
    const QByteArray endpoint = sse->body.split('\n').value(1).mid(6);
    r = rig.send(makeRequest("POST", endpoint, {{"Content-Type", "application/json"}}, pretty));
    check(r, 202);
    QCOMPARE(sse->events().size(), parseError ? 0 : 1);
}

void TestMcpEndpoint::acceptHeaderWildcards_data()
{
    QTest::addColumn<QByteArray>("accept");
    QTest::addColumn<int>("status");
    QTest::newRow("both exact") << kBothAccepted << 200;
    QTest::newRow("any") << QByteArray("*/*") << 200;
    QTest::newRow("type wildcards with parameters") << QByteArray("application/*;q=0.9, text/*;q=0.5") << 200;
    QTest::newRow("case-insensitive") << QByteArray("Application/JSON, Text/Event-Stream") << 200;
    QTest::newRow("json only") << QByteArray("application/json") << 406;
    QTest::newRow("sse only") << QByteArray("text/event-stream") << 406;
    QTest::newRow("wrong major wildcard") << QByteArray("image/*, text/event-stream") << 406;
    QTest::newRow("empty") << QByteArray() << 406;
}

void TestMcpEndpoint::acceptHeaderWildcards()
{
    QFETCH(QByteArray, accept);
    QFETCH(int, status);
    Rig rig;
    Headers headers{{"Content-Type", "application/json"}};
    if (!accept.isEmpty())
        headers.append({"Accept", accept});
    const QJsonObject init = jsonrpc::request(
        1, u"initialize"_s,
        {{u"protocolVersion"_s, mcp::V2025_11_25}, {u"capabilities"_s, QJsonObject{}}, {u"clientInfo"_s, {}}});
    MemoryResponder *r = rig.send(makeRequest("POST", "/mcp", headers, compact(init)));
    QCOMPARE(r->status, status);
    if (status == 406)
        QCOMPARE(r->errorCode(), rpcerr::InvalidRequest);
    else
        QCOMPARE(r->json().value(u"result"_s).toObject().value(u"protocolVersion"_s).toString(), mcp::V2025_11_25);
}

void TestMcpEndpoint::namespacePaths_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("title");
    QTest::newRow("default") << QByteArray("/mcp") << 200 << u"MetaMCP Gateway (default)"_s;
    QTest::newRow("default slash") << QByteArray("/mcp/") << 200 << u"MetaMCP Gateway (default)"_s;
    QTest::newRow("named") << QByteArray("/mcp/team") << 200 << u"MetaMCP Gateway (team)"_s;
    QTest::newRow("named slash") << QByteArray("/mcp/team/") << 200 << u"MetaMCP Gateway (team)"_s;
    QTest::newRow("unknown namespace") << QByteArray("/mcp/nobody") << 404 << QString();
    QTest::newRow("nested") << QByteArray("/mcp/team/x") << 404 << QString();
    QTest::newRow("double slash") << QByteArray("/mcp//") << 404 << QString();
    QTest::newRow("prefix only") << QByteArray("/mcpx") << 404 << QString();
}

void TestMcpEndpoint::namespacePaths()
{
    QFETCH(QByteArray, path);
    QFETCH(int, status);
    QFETCH(QString, title);
    Rig rig;
    const QJsonObject init = jsonrpc::request(
        1, u"initialize"_s,
        {{u"protocolVersion"_s, mcp::V2025_11_25}, {u"capabilities"_s, QJsonObject{}}, {u"clientInfo"_s, {}}});
    MemoryResponder *r = rig.post(path, init);
    QCOMPARE(r->status, status);
    if (status == 200)
        QCOMPARE(r->json().value(u"result"_s).toObject().value(u"serverInfo"_s).toObject().value(u"title"_s).toString(),
                 title);
    else
        QCOMPARE(r->errorCode(), rpcerr::InvalidRequest);
}

void TestMcpEndpoint::nonObjectBodies_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("code");
    QTest::newRow("empty") << QByteArray() << rpcerr::ParseError;
    QTest::newRow("broken") << QByteArray("{\"jsonrpc\":") << rpcerr::ParseError;
    QTest::newRow("trailing junk") << QByteArray("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} x")
                                   << rpcerr::ParseError;
    QTest::newRow("invalid message") << QByteArray("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}")
                                     << rpcerr::InvalidRequest;
    // Valid JSON, but no JSON-RPC message: Invalid Request, not a parse error.
    QTest::newRow("number") << QByteArray(" 42 ") << rpcerr::InvalidRequest;
    QTest::newRow("string") << QByteArray("\"ping\"") << rpcerr::InvalidRequest;
    QTest::newRow("null") << QByteArray("null") << rpcerr::InvalidRequest;
    QTest::newRow("two scalars") << QByteArray("1,2") << rpcerr::ParseError;
    // Batches were removed in 2025-06-18: without a 2025-03-26 session they are refused.
    QTest::newRow("batch without session")
        << QByteArray("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]") << rpcerr::InvalidRequest;
}

void TestMcpEndpoint::nonObjectBodies()
{
    QFETCH(QByteArray, body);
    QFETCH(int, code);
    Rig rig;
    MemoryResponder *r =
        rig.send(makeRequest("POST", "/mcp", {{"Content-Type", "application/json"}, {"Accept", kBothAccepted}}, body));
    QCOMPARE(r->status, 400);
    QCOMPARE(r->errorCode(), code);
    QCOMPARE(rig.endpoint.sessionCount(), 0);
}

void TestMcpEndpoint::batchOn2025_03_26()
{
    Rig rig;
    const QByteArray session = rig.initialize(mcp::V2025_03_26);
    QVERIFY(!session.isEmpty());
    const Headers headers{{"Mcp-Session-Id", session}};

    const QJsonArray batch{jsonrpc::request(u"a"_s, u"ping"_s), jsonrpc::notification(u"notifications/initialized"_s),
                           QJsonObject{{u"jsonrpc"_s, u"2.0"_s}, {u"id"_s, 5}}, // neither result nor method
                           jsonrpc::request(7, u"tools/list"_s), jsonrpc::request(8, u"no/such/method"_s)};
    MemoryResponder *r = rig.post("/mcp", batch, headers);
    QCOMPARE(r->status, 200);
    QVERIFY(r->header("content-type").startsWith("application/json"));
    const QJsonArray answers = QJsonDocument::fromJson(r->body).array();
    QCOMPARE(answers.size(), 4); // three requests and the invalid entry; nothing for the notification
    QHash<QString, QJsonObject> byId;
    int invalid = 0;
    for (const QJsonValue &v : answers) {
        const QJsonObject o = v.toObject();
        if (o.value(u"id"_s).isNull()) {
            ++invalid;
            QCOMPARE(jsonrpc::errorCode(o), rpcerr::InvalidRequest);
        } else {
            byId.insert(jsonrpc::idKey(o.value(u"id"_s)), o);
        }
    }
    QCOMPARE(invalid, 1);
    QCOMPARE(byId.value(u"s:a"_s).value(u"result"_s).toObject(), QJsonObject());
    QCOMPARE(byId.value(u"n:7"_s).value(u"result"_s).toObject().value(u"tools"_s).toArray(), QJsonArray());
    QCOMPARE(jsonrpc::errorCode(byId.value(u"n:8"_s)), rpcerr::MethodNotFound);

    // An empty batch is an error of its own.
    r = rig.post("/mcp", QJsonArray(), headers);
    QCOMPARE(r->status, 400);
    QVERIFY2(r->body.contains("Empty batch"), r->body.constData());

    // Only notifications and responses: 202 without a body.
    r = rig.post("/mcp", QJsonArray{jsonrpc::notification(u"notifications/cancelled"_s, {{u"requestId"_s, 77}})},
                 headers);
    QCOMPARE(r->status, 202);
    QVERIFY(r->body.isEmpty());

    // A batch naming a session that does not exist: 404 like any other request.
    r = rig.post("/mcp", QJsonArray{jsonrpc::request(1, u"ping"_s)}, {{"Mcp-Session-Id", "no-such-session"}});
    QCOMPARE(r->status, 404);

    // A 2025-11-25 session may not batch.
    const QByteArray modern = rig.initialize(mcp::V2025_11_25);
    r = rig.post("/mcp", QJsonArray{jsonrpc::request(1, u"ping"_s)}, {{"Mcp-Session-Id", modern}});
    QCOMPARE(r->status, 400);
    QVERIFY2(r->body.contains(mcp::V2025_11_25.toLatin1()), r->body.constData());
}

void TestMcpEndpoint::batchOfNotificationsOnly()
{
    // 2025-03-26 (Streamable HTTP, "Sending Messages to the Server"): input made only of
    // notifications and responses is answered 202 Accepted with no body.
    Rig rig;
    const QByteArray session = rig.initialize(mcp::V2025_03_26);
    QVERIFY(!session.isEmpty());
    const QJsonArray batch{jsonrpc::notification(u"notifications/initialized"_s),
                           jsonrpc::notification(u"notifications/roots/list_changed"_s)};
    MemoryResponder *r = rig.post("/mcp", batch, {{"Mcp-Session-Id", session}});
    QVERIFY(r->finished);
    QCOMPARE(r->status, 202);
    QVERIFY(r->body.isEmpty());
}

void TestMcpEndpoint::initializeMisuse()
{
    Rig rig;
    // initialize sent as a notification.
    MemoryResponder *r = rig.post("/mcp", jsonrpc::notification(u"initialize"_s));
    QCOMPARE(r->status, 400);
    QVERIFY2(r->body.contains("initialize must be a request"), r->body.constData());
    QCOMPARE(rig.endpoint.sessionCount(), 0);

    // A second initialize on a live session.
    const QByteArray session = rig.initialize();
    QVERIFY(!session.isEmpty());
    QCOMPARE(rig.endpoint.sessionCount(), 1);
    r = rig.post("/mcp", jsonrpc::request(9, u"initialize"_s, {{u"protocolVersion"_s, mcp::V2025_11_25}}),
                 {{"Mcp-Session-Id", session}});
    QCOMPARE(r->status, 400);
    QCOMPARE(r->errorCode(), rpcerr::InvalidRequest);
    QCOMPARE(r->json().value(u"id"_s).toInt(), 9);
    QCOMPARE(rig.endpoint.sessionCount(), 1);

    // A session protocol version the gateway does not speak.
    r = rig.post("/mcp", jsonrpc::request(2, u"ping"_s),
                 {{"Mcp-Session-Id", session}, {"MCP-Protocol-Version", "2024-01-01"}});
    QCOMPARE(r->status, 400);
    QVERIFY2(r->body.contains("unsupported MCP-Protocol-Version"), r->body.constData());
    r = rig.send(makeRequest(
        "GET", "/mcp",
        {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", session}, {"MCP-Protocol-Version", "2024-01-01"}}));
    QCOMPARE(r->status, 400);
    QVERIFY(!r->streaming);
}

void TestMcpEndpoint::modernHeaderWithoutEnvelope()
{
    Rig rig;
    const Headers modern{{"MCP-Protocol-Version", mcp::V2026_07_28.toLatin1()}};
    // initialize does not exist in 2026-07-28.
    MemoryResponder *r =
        rig.post("/mcp", jsonrpc::request(3, u"initialize"_s, {{u"protocolVersion"_s, mcp::V2025_11_25}}), modern);
    QCOMPARE(r->status, 400);
    QCOMPARE(r->errorCode(), rpcerr::HeaderMismatch);
    QCOMPARE(r->json().value(u"id"_s).toInt(), 3);
    QCOMPARE(rig.endpoint.sessionCount(), 0);

    // A request without the _meta envelope.
    r = rig.post("/mcp", jsonrpc::request(4, u"tools/list"_s), modern);
    QCOMPARE(r->status, 400);
    QCOMPARE(r->errorCode(), rpcerr::InvalidParams);
    QCOMPARE(r->json().value(u"id"_s).toInt(), 4);
    QCOMPARE(r->json()
                 .value(u"error"_s)
                 .toObject()
                 .value(u"data"_s)
                 .toObject()
                 .value(u"envelope"_s)
                 .toObject()
                 .value(u"missing"_s)
                 .toArray(),
             QJsonArray{u"_meta"_s});

    // Notifications without the envelope are accepted (and dropped).
    r = rig.post("/mcp", jsonrpc::notification(u"notifications/initialized"_s), modern);
    QCOMPARE(r->status, 202);
    QVERIFY(r->body.isEmpty());
}

void TestMcpEndpoint::statelessEnvelopeErrors_data()
{
    QTest::addColumn<QJsonObject>("message");
    QTest::addColumn<Headers>("headers"); // replaces the standard ones when not empty
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("text");

    const QString version = mcp::V2026_07_28;
    const QByteArray versionBytes = version.toLatin1();
    auto meta = [](const QString &key, const QJsonValue &value) {
        QJsonObject m = statelessMeta();
        if (value.isUndefined())
            m.remove(key);
        else
            m.insert(key, value);
        return m;
    };
    const Headers standard{{"MCP-Protocol-Version", versionBytes}, {"Mcp-Method", "tools/list"}};

    QTest::newRow("version not a string")
        << statelessRequest(u"tools/list"_s, meta(mcp::kMetaProtocolVersion, 20260728)) << standard << 400
        << rpcerr::InvalidParams << mcp::kMetaProtocolVersion;
    QTest::newRow("empty version") << statelessRequest(u"tools/list"_s, meta(mcp::kMetaProtocolVersion, u""_s))
                                   << standard << 400 << rpcerr::InvalidParams << mcp::kMetaProtocolVersion;
    QTest::newRow("capabilities missing")
        << statelessRequest(u"tools/list"_s, meta(mcp::kMetaClientCapabilities, QJsonValue::Undefined)) << standard
        << 400 << rpcerr::InvalidParams << mcp::kMetaClientCapabilities;
    QTest::newRow("capabilities not an object")
        << statelessRequest(u"tools/list"_s, meta(mcp::kMetaClientCapabilities, u"all"_s)) << standard << 400
        << rpcerr::InvalidParams << mcp::kMetaClientCapabilities;
    QTest::newRow("client info not an object")
        << statelessRequest(u"tools/list"_s, meta(mcp::kMetaClientInfo, QJsonArray{1})) << standard << 400
        << rpcerr::InvalidParams << mcp::kMetaClientInfo;
    QTest::newRow("version header disagrees")
        << statelessRequest(u"tools/list"_s, statelessMeta())
        << Headers{{"MCP-Protocol-Version", mcp::V2025_11_25.toLatin1()}, {"Mcp-Method", "tools/list"}} << 400
        << rpcerr::HeaderMismatch << u"MCP-Protocol-Version header names"_s;
    QTest::newRow("version header missing")
        << statelessRequest(u"tools/list"_s, statelessMeta()) << Headers{{"Mcp-Method", "tools/list"}} << 400
        << rpcerr::HeaderMismatch << u"MCP-Protocol-Version header is required"_s;
    QTest::newRow("method header missing")
        << statelessRequest(u"tools/list"_s, statelessMeta()) << Headers{{"MCP-Protocol-Version", versionBytes}} << 400
        << rpcerr::HeaderMismatch << u"Mcp-Method header is required"_s;
    QTest::newRow("method header disagrees")
        << statelessRequest(u"tools/list"_s, statelessMeta())
        << Headers{{"MCP-Protocol-Version", versionBytes}, {"Mcp-Method", "prompts/list"}} << 400
        << rpcerr::HeaderMismatch << u"Mcp-Method header names prompts/list"_s;
    QTest::newRow("method header bad base64")
        << statelessRequest(u"tools/list"_s, statelessMeta())
        << Headers{{"MCP-Protocol-Version", versionBytes}, {"Mcp-Method", "=?base64?***?="}} << 400
        << rpcerr::HeaderMismatch << u"Mcp-Method header"_s;
    QTest::newRow("method header base64 ok but other method")
        << statelessRequest(u"tools/list"_s, statelessMeta())
        << Headers{{"MCP-Protocol-Version", versionBytes},
                   {"Mcp-Method", "=?base64?" + QByteArray("ping").toBase64() + "?="}}
        << 400 << rpcerr::HeaderMismatch << u"Mcp-Method header"_s;
    QTest::newRow("unsupported version") << statelessRequest(u"tools/list"_s,
                                                             meta(mcp::kMetaProtocolVersion, u"2099-01-01"_s))
                                         << Headers{{"MCP-Protocol-Version", "2099-01-01"},
                                                    {"Mcp-Method", "tools/list"}}
                                         << 400 << rpcerr::UnsupportedProtocolVersion << u"2099-01-01"_s;
    QTest::newRow("name header missing") << statelessRequest(u"tools/call"_s, statelessMeta(), {{u"name"_s, u"x"_s}})
                                         << Headers{{"MCP-Protocol-Version", versionBytes},
                                                    {"Mcp-Method", "tools/call"}}
                                         << 400 << rpcerr::HeaderMismatch << u"Mcp-Name header is required"_s;
    QTest::newRow("name header disagrees")
        << statelessRequest(u"resources/read"_s, statelessMeta(), {{u"uri"_s, u"file:///a"_s}})
        << Headers{{"MCP-Protocol-Version", versionBytes}, {"Mcp-Method", "resources/read"}, {"Mcp-Name", "file:///b"}}
        << 400 << rpcerr::HeaderMismatch << u"file:///b"_s;
    QTest::newRow("removed method") << statelessRequest(u"ping"_s, statelessMeta())
                                    << Headers{{"MCP-Protocol-Version", versionBytes}, {"Mcp-Method", "ping"}} << 404
                                    << rpcerr::MethodNotFound << u"not part of protocol"_s;
}

void TestMcpEndpoint::statelessEnvelopeErrors()
{
    QFETCH(QJsonObject, message);
    QFETCH(Headers, headers);
    QFETCH(int, status);
    QFETCH(int, code);
    QFETCH(QString, text);
    Rig rig;
    MemoryResponder *r = rig.post("/mcp", message, headers);
    QCOMPARE(r->status, status);
    QCOMPARE(r->errorCode(), code);
    QCOMPARE(r->json().value(u"id"_s).toInt(), 1);
    const QJsonObject error = r->json().value(u"error"_s).toObject();
    QVERIFY2(error.value(u"message"_s).toString().contains(text) ||
                 QJsonDocument(error.value(u"data"_s).toObject()).toJson().contains(text.toUtf8()),
             r->body.constData());
    QCOMPARE(rig.endpoint.sessionCount(), 0);
}

void TestMcpEndpoint::statelessNotificationAndResponse()
{
    Rig rig;
    QJsonObject notification =
        jsonrpc::notification(u"notifications/cancelled"_s, {{u"requestId"_s, 3}, {u"_meta"_s, statelessMeta()}});
    MemoryResponder *r = rig.postStateless(notification);
    QCOMPARE(r->status, 202);
    QVERIFY(r->body.isEmpty());

    // A response claiming 2026-07-28: that protocol sends the client no requests to answer.
    QJsonObject response = jsonrpc::result(12, {});
    response.insert(u"params"_s, QJsonObject{{u"_meta"_s, statelessMeta()}});
    r = rig.post("/mcp", response, {{"MCP-Protocol-Version", mcp::V2026_07_28.toLatin1()}});
    QCOMPARE(r->status, 400);
    QCOMPARE(r->errorCode(), rpcerr::InvalidRequest);
    QVERIFY2(r->body.contains("no server-to-client requests"), r->body.constData());

    // A well-formed stateless request is answered with the resultType stamp.
    r = rig.postStateless(statelessRequest(u"tools/list"_s, statelessMeta()));
    QCOMPARE(r->status, 200);
    const QJsonObject result = r->json().value(u"result"_s).toObject();
    QCOMPARE(result.value(u"tools"_s).toArray(), QJsonArray());
    QCOMPARE(result.value(u"resultType"_s).toString(), u"complete"_s);
}

void TestMcpEndpoint::listenNeedsFilter()
{
    Rig rig;
    MemoryResponder *r = rig.postStateless(statelessRequest(u"subscriptions/listen"_s, statelessMeta()));
    QCOMPARE(r->status, 200);
    QVERIFY(!r->streaming);
    QCOMPARE(r->errorCode(), rpcerr::InvalidParams);
    QVERIFY2(r->body.contains("params.notifications"), r->body.constData());
    QCOMPARE(rig.endpoint.sessionCount(), 0);
    QCOMPARE(rig.router.sessionCount(), 0);

    r = rig.postStateless(
        statelessRequest(u"subscriptions/listen"_s, statelessMeta(), {{u"notifications"_s, u"all"_s}}));
    QCOMPARE(r->errorCode(), rpcerr::InvalidParams);
}

void TestMcpEndpoint::listenHonoursStringUrisOnly()
{
    Rig rig;
    const QJsonObject filter{{u"toolsListChanged"_s, true},
                             {u"promptsListChanged"_s, false},
                             {u"bogusListChanged"_s, true},
                             {u"resourceSubscriptions"_s, QJsonArray{u"file:///a.txt"_s, 42, u"file:///b.txt"_s}}};
    MemoryResponder *r =
        rig.postStateless(statelessRequest(u"subscriptions/listen"_s, statelessMeta(), {{u"notifications"_s, filter}}));
    QCOMPARE(r->status, 200);
    QVERIFY(r->streaming);
    QCOMPARE(r->header("content-type"), QByteArray("text/event-stream"));
    const QList<QJsonObject> events = r->events();
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.first().value(u"method"_s).toString(), u"notifications/subscriptions/acknowledged"_s);
    const QJsonObject honoured = events.first().value(u"params"_s).toObject().value(u"notifications"_s).toObject();
    const QJsonObject expected{{u"toolsListChanged"_s, true},
                               {u"resourceSubscriptions"_s, QJsonArray{u"file:///a.txt"_s, u"file:///b.txt"_s}}};
    QCOMPARE(honoured, expected);
    QCOMPARE(rig.endpoint.sessionCount(), 1);

    // Closing the connection ends the subscription.
    QSignalSpy closed(&rig.endpoint, &McpHttpEndpoint::sessionClosed);
    rig.disconnect(r);
    QCOMPARE(closed.size(), 1);
    QCOMPARE(rig.endpoint.sessionCount(), 0);
}

void TestMcpEndpoint::getStreamErrors()
{
    Rig rig;
    // 2026-07-28 has no GET stream.
    MemoryResponder *r = rig.send(makeRequest(
        "GET", "/mcp", {{"Accept", "text/event-stream"}, {"MCP-Protocol-Version", mcp::V2026_07_28.toLatin1()}}));
    QVERIFY(!r->streaming);
    QCOMPARE(r->errorCode(), rpcerr::InvalidRequest);
    QCOMPARE(r->status, 405);
    QCOMPARE(r->header("allow"), QByteArray("POST"));
    // A version nobody speaks: 400 naming the session versions (2026-07-28 is not one of them).
    r = rig.send(makeRequest("GET", "/mcp", {{"Accept", "text/event-stream"}, {"MCP-Protocol-Version", "1999-01-01"}}));
    QCOMPARE(r->status, 400);
    QVERIFY2(r->body.contains(mcp::V2025_11_25.toLatin1()), r->body.constData());
    QVERIFY2(!r->body.contains(mcp::V2026_07_28.toLatin1()), r->body.constData());

    // No session.
    r = rig.send(makeRequest("GET", "/mcp", {{"Accept", "text/event-stream"}}));
    QCOMPARE(r->status, 400);

    const QByteArray session = rig.initialize();
    QVERIFY(!session.isEmpty());
    // A Last-Event-ID naming no stream of the session.
    r = rig.send(makeRequest(
        "GET", "/mcp", {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", session}, {"Last-Event-ID", "p999_3"}}));
    QCOMPARE(r->status, 404);
    QVERIFY2(r->body.contains("p999_3"), r->body.constData());
    r = rig.send(makeRequest(
        "GET", "/mcp", {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", session}, {"Last-Event-ID", "junk"}}));
    QCOMPARE(r->status, 404);

    // The session's standalone stream, then a resumption of it while it is open: 409.
    MemoryResponder *stream =
        rig.send(makeRequest("GET", "/mcp", {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", session}}));
    QCOMPARE(stream->status, 200);
    QVERIFY(stream->streaming);
    const QList<QByteArray> lines = stream->body.split('\n');
    QVERIFY2(lines.first().startsWith("id: g"), stream->body.constData()); // priming event
    const QByteArray primeId = lines.first().mid(4);
    r = rig.send(makeRequest(
        "GET", "/mcp", {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", session}, {"Last-Event-ID", primeId}}));
    QCOMPARE(r->status, 409);

    // Once that connection is gone, resuming from the priming event works and stays open.
    rig.disconnect(stream);
    r = rig.send(makeRequest(
        "GET", "/mcp", {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", session}, {"Last-Event-ID", primeId}}));
    QCOMPARE(r->status, 200);
    QVERIFY(r->streaming);
    QVERIFY(!r->finished);
    QCOMPARE(r->header("mcp-session-id"), session);

    // The session ends: the resumed stream is ended with it.
    r = rig.send(makeRequest("DELETE", "/mcp", {{"Mcp-Session-Id", session}}));
    QCOMPARE(r->status, 200);
    QVERIFY(rig.responders.at(rig.responders.size() - 2)->finished);
}

void TestMcpEndpoint::deleteNeedsSession()
{
    Rig rig;
    MemoryResponder *r = rig.send(makeRequest("DELETE", "/mcp"));
    QCOMPARE(r->status, 400);
    r = rig.send(makeRequest("DELETE", "/mcp", {{"Mcp-Session-Id", "unknown"}}));
    QCOMPARE(r->status, 404);
    QCOMPARE(r->errorCode(), rpcerr::SessionNotFound); // -32001 "Session not found", as the SDK
    // 2026-07-28 has no sessions to delete.
    r = rig.send(makeRequest("DELETE", "/mcp", {{"MCP-Protocol-Version", mcp::V2026_07_28.toLatin1()}}));
    QCOMPARE(r->status, 405);
    QCOMPARE(r->header("allow"), QByteArray("POST"));
    // A session is bound to its namespace.
    const QByteArray session = rig.initialize();
    r = rig.send(makeRequest("DELETE", "/mcp/team", {{"Mcp-Session-Id", session}}));
    QCOMPARE(r->status, 404);
    QCOMPARE(rig.endpoint.sessionCount(), 1);
    // Other methods are not allowed.
    r = rig.send(makeRequest("PUT", "/mcp", {{"Mcp-Session-Id", session}}));
    QCOMPARE(r->status, 405);
    QCOMPARE(r->header("allow"), QByteArray("GET, POST, DELETE, OPTIONS"));
}

void TestMcpEndpoint::legacyTransportErrors()
{
    Rig rig;
    MemoryResponder *r = rig.send(makeRequest("POST", "/sse", {{"Content-Type", "application/json"}}, "{}"));
    QCOMPARE(r->status, 405);
    QCOMPARE(r->header("allow"), QByteArray("GET"));
    r = rig.send(makeRequest("GET", "/messages?sessionId=x"));
    QCOMPARE(r->status, 405);
    r = rig.send(makeRequest("POST", "/messages?sessionId=nope", {{"Content-Type", "application/json"}}, "{}"));
    QCOMPARE(r->status, 404);

    // Open a legacy session: the first event names the POST endpoint.
    MemoryResponder *sse = rig.send(makeRequest("GET", "/sse/team", {{"Accept", "text/event-stream"}}));
    QCOMPARE(sse->status, 200);
    QVERIFY(sse->streaming);
    QVERIFY2(sse->body.startsWith("event: endpoint\ndata: /messages?sessionId="), sse->body.constData());
    const QByteArray endpoint = sse->body.split('\n').at(1).mid(6);
    // A Streamable HTTP request cannot use the legacy session id.
    r = rig.post("/mcp/team", jsonrpc::request(1, u"ping"_s),
                 {{"Mcp-Session-Id", endpoint.mid(endpoint.indexOf('=') + 1)}});
    QCOMPARE(r->status, 404);

    auto postLegacy = [&](const QByteArray &contentType, const QByteArray &body) {
        return rig.send(makeRequest("POST", endpoint, {{"Content-Type", contentType}}, body));
    };
    r = postLegacy("text/plain", "{}");
    QCOMPARE(r->status, 415);
    r = postLegacy("application/json", "{not json");
    QCOMPARE(r->status, 400);
    QCOMPARE(r->errorCode(), rpcerr::ParseError);
    r = postLegacy("application/json", "[1,2]");
    QCOMPARE(r->status, 400);
    QCOMPARE(r->errorCode(), rpcerr::InvalidRequest);
    r = postLegacy("application/json", R"({"jsonrpc":"1.0","id":1,"method":"ping"})");
    QCOMPARE(r->status, 400);
    QVERIFY2(r->body.contains("jsonrpc"), r->body.constData());
    QCOMPARE(sse->events().size(), 0); // errors are answered on the POST, not on the stream

    // Notifications and responses are accepted; only requests produce events on the stream.
    r = postLegacy("application/json", compact(jsonrpc::notification(u"notifications/initialized"_s)));
    QCOMPARE(r->status, 202);
    r = postLegacy("application/json", compact(jsonrpc::result(u"server-1"_s, {})));
    QCOMPARE(r->status, 202);
    r = postLegacy("application/json; charset=utf-8", compact(jsonrpc::request(21, u"ping"_s)));
    QCOMPARE(r->status, 202);
    const QList<QJsonObject> events = sse->events();
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.first().value(u"id"_s).toInt(), 21);
    QVERIFY(events.first().contains(u"result"_s));
}

void TestMcpEndpoint::legacyTransportNeedsKey()
{
    Rig rig({}, true);
    // Without a key the stream is not opened.
    MemoryResponder *r = rig.send(makeRequest("GET", "/sse/locked"));
    QCOMPARE(r->status, 401);
    QCOMPARE(r->header("www-authenticate"), QByteArray("Bearer realm=\"metamcp\""));
    r = rig.send(makeRequest("GET", "/sse/locked", {{"Authorization", "Bearer wrong"}}));
    QCOMPARE(r->status, 401);
    QVERIFY(r->header("www-authenticate").contains("invalid_token"));
    QCOMPARE(rig.endpoint.sessionCount(), 0);

    MemoryResponder *sse = rig.send(makeRequest("GET", "/sse/locked", {{"Authorization", "bearer good-key"}}));
    QCOMPARE(sse->status, 200);
    const QByteArray endpoint = sse->body.split('\n').at(1).mid(6);
    // Every POST needs the key too.
    r = rig.send(
        makeRequest("POST", endpoint, {{"Content-Type", "application/json"}}, compact(jsonrpc::request(1, u"ping"_s))));
    QCOMPARE(r->status, 401);
    QCOMPARE(sse->events().size(), 0);
    r = rig.send(makeRequest("POST", endpoint,
                             {{"Content-Type", "application/json"}, {"Authorization", "Bearer good-key"}},
                             compact(jsonrpc::request(1, u"ping"_s))));
    QCOMPARE(r->status, 202);
    QCOMPARE(sse->events().size(), 1);
    // The caller has an identity: the label of its key, in the session's client name.
    QCOMPARE(rig.endpoint.sessionCount(), 1);
    const QString sessionId = QString::fromLatin1(endpoint.mid(endpoint.indexOf("sessionId=") + 10));
    ClientSession *session = rig.router.session(sessionId);
    QVERIFY2(session, qPrintable(sessionId));
    QCOMPARE(session->principal.kind, Principal::Kind::ApiKey);
    QCOMPARE(session->principal.displayName, u"tester"_s);
    QCOMPARE(session->principal.key(), u"default/apikey/key:7"_s);
    QVERIFY2(session->clientName().endsWith(u" [key: tester]"_s), qPrintable(session->clientName()));

    // Streamable HTTP and stateless callers carry it too.
    const QByteArray streamable =
        rig.initialize(mcp::V2025_11_25, "/mcp/locked", {{"Authorization", "Bearer good-key"}});
    QVERIFY(!streamable.isEmpty());
    QCOMPARE(rig.router.session(QString::fromLatin1(streamable))->principal.displayName, u"tester"_s);
    const QByteArray open = rig.initialize(mcp::V2025_11_25, "/mcp/team");
    QVERIFY(rig.router.session(QString::fromLatin1(open))->principal.isAnonymous());

    // A session id is no credential: another principal's valid key does not reach the session
    // (Streamable HTTP: 404 as for an unknown session; legacy POST: unknown sessionId).
    r = rig.send(makeRequest("POST", "/mcp/locked",
                             {{"Content-Type", "application/json"},
                              {"Accept", "application/json, text/event-stream"},
                              {"Authorization", "Bearer other-key"},
                              {"Mcp-Session-Id", streamable},
                              {"MCP-Protocol-Version", "2025-11-25"}},
                             compact(jsonrpc::request(5, u"ping"_s))));
    QCOMPARE(r->status, 404);
    r = rig.send(makeRequest("GET", "/mcp/locked",
                             {{"Accept", "text/event-stream"},
                              {"Authorization", "Bearer other-key"},
                              {"Mcp-Session-Id", streamable},
                              {"MCP-Protocol-Version", "2025-11-25"}}));
    QCOMPARE(r->status, 404);
    r = rig.send(makeRequest("DELETE", "/mcp/locked",
                             {{"Authorization", "Bearer other-key"},
                              {"Mcp-Session-Id", streamable},
                              {"MCP-Protocol-Version", "2025-11-25"}}));
    QCOMPARE(r->status, 404);
    QVERIFY(rig.router.session(QString::fromLatin1(streamable)));
    const qsizetype eventsBefore = sse->events().size();
    r = rig.send(makeRequest("POST", endpoint,
                             {{"Content-Type", "application/json"}, {"Authorization", "Bearer other-key"}},
                             compact(jsonrpc::request(6, u"ping"_s))));
    QCOMPARE(r->status, 404);
    QCOMPARE(sse->events().size(), eventsBefore);
}

// An authenticator that answers later (as one asking a directory or a JWKS will).
class DeferredAuthenticator final : public Authenticator
{
public:
    struct Pending
    {
        AuthRequest request;
        std::function<void(const AuthResult &)> done;
    };
    std::vector<Pending> pending;
    void authenticate(const AuthRequest &request, std::function<void(const AuthResult &)> done) override
    {
        pending.push_back({request, std::move(done)});
    }
};

void TestMcpEndpoint::asynchronousAuthenticator()
{
    Rig rig({}, true);
    auto auth = std::make_shared<DeferredAuthenticator>();
    rig.endpoint.setAuthenticator(auth);
    const QJsonObject init =
        jsonrpc::request(1, u"initialize"_s,
                         QJsonObject{{u"protocolVersion"_s, mcp::V2025_11_25},
                                     {u"capabilities"_s, QJsonObject{}},
                                     {u"clientInfo"_s, QJsonObject{{u"name"_s, u"t"_s}, {u"version"_s, u"1"_s}}}});

    // Held until the authenticator answers; then handled as that principal.
    MemoryResponder *r = rig.post("/mcp/locked", init, {{"Authorization", "Bearer whatever"}});
    QCOMPARE(auth->pending.size(), size_t(1));
    QCOMPARE(auth->pending[0].request.ns, u"locked"_s);
    QVERIFY(auth->pending[0].request.credentialRequired);
    QCOMPARE(auth->pending[0].request.authorization, QByteArray("Bearer whatever"));
    QCOMPARE(r->status, 0);
    QCOMPARE(rig.endpoint.sessionCount(), 0);
    Principal alice;
    alice.kind = Principal::Kind::User;
    alice.id = u"alice"_s;
    alice.displayName = u"Alice"_s;
    auth->pending[0].done(AuthResult::allow(alice));
    QCOMPARE(r->status, 200);
    const QString id = QString::fromLatin1(r->header("mcp-session-id"));
    QVERIFY(rig.router.session(id));
    QCOMPARE(rig.router.session(id)->principal.key(), u"default/user/alice"_s);

    // Refused: the authenticator's status, message and headers reach the client.
    r = rig.post("/mcp/locked", init);
    QCOMPARE(auth->pending.size(), size_t(2));
    auth->pending[1].done(AuthResult::deny(403, u"not in the team"_s, {{"X-Why", "group"}}));
    QCOMPARE(r->status, 403);
    QCOMPARE(r->header("x-why"), QByteArray("group"));
    QVERIFY(r->body.contains("not in the team"));
    QCOMPARE(rig.endpoint.sessionCount(), 1);

    // The client leaves before the answer: nothing is handled, nothing crashes.
    r = rig.post("/mcp/locked", init);
    QCOMPARE(auth->pending.size(), size_t(3));
    rig.disconnect(r);
    auth->pending[2].done(AuthResult::allow(alice));
    QCOMPARE(rig.endpoint.sessionCount(), 1);
}

void TestMcpEndpoint::sessionLimits()
{
    Rig rig({}, true);
    McpLimits limits;
    limits.maxSessions = 3;
    limits.maxSessionsPerPrincipal = 2;
    rig.endpoint.setLimits(limits);
    const Headers tester{{"Authorization", "Bearer good-key"}};
    const Headers other{{"Authorization", "Bearer other-key"}};
    QVERIFY(!rig.initialize(mcp::V2025_11_25, "/mcp/locked", tester).isEmpty());
    const QByteArray second = rig.initialize(mcp::V2025_11_25, "/mcp/locked", tester);
    QVERIFY(!second.isEmpty());
    // A third session of the same principal: 429, the others are not affected.
    const QJsonObject init =
        jsonrpc::request(1, u"initialize"_s,
                         QJsonObject{{u"protocolVersion"_s, mcp::V2025_11_25},
                                     {u"capabilities"_s, QJsonObject{}},
                                     {u"clientInfo"_s, QJsonObject{{u"name"_s, u"t"_s}, {u"version"_s, u"1"_s}}}});
    MemoryResponder *r = rig.post("/mcp/locked", init, tester);
    QCOMPARE(r->status, 429);
    QCOMPARE(r->header("retry-after"), QByteArray("30"));
    QVERIFY(r->body.contains("maxSessionsPerPrincipal"));
    QCOMPARE(QJsonDocument::fromJson(r->body).object().value(u"id"_s).toInt(), 1);
    QVERIFY(!rig.initialize(mcp::V2025_11_25, "/mcp/locked", other).isEmpty());
    // All sessions in use: 503 for anyone, a legacy SSE stream too.
    r = rig.post("/mcp/locked", init, other);
    QCOMPARE(r->status, 503);
    QVERIFY(r->body.contains("maxSessions"));
    r = rig.send(makeRequest("GET", "/sse/locked", {{"Authorization", "Bearer other-key"}}));
    QCOMPARE(r->status, 503);
    QCOMPARE(rig.endpoint.sessionCount(), 3);
    // Closing one makes room.
    r = rig.send(makeRequest(
        "DELETE", "/mcp/locked",
        {{"Authorization", "Bearer good-key"}, {"Mcp-Session-Id", second}, {"MCP-Protocol-Version", "2025-11-25"}}));
    QCOMPARE(r->status, 200);
    QVERIFY(!rig.initialize(mcp::V2025_11_25, "/mcp/locked", tester).isEmpty());
}

void TestMcpEndpoint::keepAliveComments()
{
    Rig rig;
    rig.endpoint.setKeepAliveIntervalMs(20);
    const QByteArray session = rig.initialize();
    QVERIFY(!session.isEmpty());
    MemoryResponder *standalone =
        rig.send(makeRequest("GET", "/mcp", {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", session}}));
    MemoryResponder *legacy = rig.send(makeRequest("GET", "/sse"));
    MemoryResponder *listen =
        rig.postStateless(statelessRequest(u"subscriptions/listen"_s, statelessMeta(),
                                           {{u"notifications"_s, QJsonObject{{u"toolsListChanged"_s, true}}}}));
    // A finished stream gets nothing more.
    MemoryResponder *ended = rig.send(makeRequest("GET", "/sse"));
    ended->finished = true;
    const QByteArray endedBefore = ended->body;
    for (MemoryResponder *r : {standalone, legacy, listen})
        QVERIFY(r->streaming && !r->finished);

    const QByteArray comment = ": keep-alive\n\n";
    QVERIFY(QTest::qWaitFor(
        [&] {
            return standalone->body.count(comment) >= 2 && legacy->body.count(comment) >= 2 &&
                   listen->body.count(comment) >= 2;
        },
        5000));
    QCOMPARE(ended->body, endedBefore);
    // Comments are whole SSE lines between events: the JSON events still parse.
    QCOMPARE(listen->events().size(), 1);
    QVERIFY(legacy->body.startsWith("event: endpoint\n"));
}

// Every kind of SSE response (GET stream, its resumption, a POST answered as a stream, legacy
// SSE, a 2026-07-28 subscription) carries the same headers: CORS, the event-stream type, no
// caching, no proxy buffering (and a session's id where it has one).
void TestMcpEndpoint::streamResponsesShareHeaders()
{
    Rig rig;
    const Headers origin{{"Origin", "http://localhost:5173"}};
    const QByteArray session = rig.initialize(mcp::V2025_11_25, "/mcp", origin);
    QVERIFY(!session.isEmpty());
    QList<std::pair<const char *, MemoryResponder *>> streams;

    Headers get = origin;
    get.append({{"Accept", "text/event-stream"}, {"Mcp-Session-Id", session}});
    streams.append({"GET stream", rig.send(makeRequest("GET", "/mcp", get))});
    streams.append({"legacy SSE", rig.send(makeRequest("GET", "/sse", origin))});
    streams.append(
        {"subscriptions/listen",
         rig.postStateless(statelessRequest(u"subscriptions/listen"_s, statelessMeta(),
                                            {{u"notifications"_s, QJsonObject{{u"toolsListChanged"_s, true}}}}),
                           origin)});
    // A client that lists the event stream first gets the answer to a POST as a stream ...
    Headers post = origin;
    post.append({{"Content-Type", "application/json"},
                 {"Accept", "text/event-stream, application/json"},
                 {"Mcp-Session-Id", session}});
    MemoryResponder *posted = rig.send(makeRequest("POST", "/mcp", post, compact(jsonrpc::request(2, u"ping"_s))));
    streams.append({"POST stream", posted});
    QTRY_VERIFY(posted->finished);
    // ... which it can read again from its priming event on.
    const qsizetype idAt = posted->body.indexOf("id: ");
    QVERIFY2(idAt >= 0, posted->body.constData());
    const QByteArray eventId = posted->body.mid(idAt + 4, posted->body.indexOf('\n', idAt) - idAt - 4);
    Headers resume = get;
    resume.append({"Last-Event-ID", eventId});
    MemoryResponder *resumed = rig.send(makeRequest("GET", "/mcp", resume));
    streams.append({"resumed stream", resumed});
    QCOMPARE(resumed->events().size(), 1);

    const HttpHeaders expected{
        {"Access-Control-Allow-Origin", "http://localhost:5173"},
        {"Vary", "Origin"},
        {"Access-Control-Expose-Headers", "Mcp-Session-Id, MCP-Protocol-Version, WWW-Authenticate"},
        {"Content-Type", "text/event-stream"},
        {"Cache-Control", "no-cache"},
        {"X-Accel-Buffering", "no"}};
    for (const auto &[what, r] : std::as_const(streams)) {
        QVERIFY2(r->streaming && r->status == 200, what);
        HttpHeaders headers = r->headers;
        headers.removeIf([](const auto &h) { return h.first.compare("Mcp-Session-Id", Qt::CaseInsensitive) == 0; });
        QCOMPARE(headers, expected);
    }
    QCOMPARE(streams.at(0).second->header("mcp-session-id"), session);
    QCOMPARE(resumed->header("mcp-session-id"), session);
}

void TestMcpEndpoint::idleSessionsAreSwept()
{
    Rig rig;
    rig.endpoint.setSessionIdleTimeoutMs(100);
    // The sweep runs once a minute; make it run often for the test.
    QTimer *sweep = nullptr;
    for (QTimer *t : rig.endpoint.findChildren<QTimer *>())
        if (t->interval() == 60'000)
            sweep = t;
    QVERIFY2(sweep, "no one-minute sweep timer found on the endpoint");
    sweep->setInterval(20);

    const QByteArray idle = rig.initialize();
    const QByteArray streaming = rig.initialize();
    QVERIFY(!idle.isEmpty() && !streaming.isEmpty());
    MemoryResponder *stream =
        rig.send(makeRequest("GET", "/mcp", {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", streaming}}));
    QVERIFY(stream->streaming);
    MemoryResponder *legacy = rig.send(makeRequest("GET", "/sse"));
    QVERIFY(legacy->streaming);
    QCOMPARE(rig.endpoint.sessionCount(), 3);

    QSignalSpy closed(&rig.endpoint, &McpHttpEndpoint::sessionClosed);
    QVERIFY(closed.wait(3000));
    QCOMPARE(closed.first().first().toString(), QString::fromLatin1(idle));
    // Sessions with an open stream stay, however long they are quiet: several more sweeps ran
    // (the spy, connected after the endpoint, counts sweeps that are over).
    QSignalSpy sweeps(sweep, &QTimer::timeout);
    QTRY_VERIFY_WITH_TIMEOUT(sweeps.size() >= 5, 5000);
    QCOMPARE(closed.size(), 1);
    QCOMPARE(rig.endpoint.sessionCount(), 2);
    MemoryResponder *r = rig.post("/mcp", jsonrpc::request(1, u"ping"_s), {{"Mcp-Session-Id", idle}});
    QCOMPARE(r->status, 404);
    r = rig.post("/mcp", jsonrpc::request(1, u"ping"_s), {{"Mcp-Session-Id", streaming}});
    QCOMPARE(r->status, 200);

    // Once its stream is gone, the quiet session goes too.
    rig.disconnect(stream);
    QVERIFY(QTest::qWaitFor([&] { return closed.size() == 2; }, 3000));
    QCOMPARE(closed.last().first().toString(), QString::fromLatin1(streaming));
    QCOMPARE(rig.endpoint.sessionCount(), 1); // the legacy stream
}

QTEST_GUILESS_MAIN(TestMcpEndpoint)
#include "tst_mcpendpoint.moc"
