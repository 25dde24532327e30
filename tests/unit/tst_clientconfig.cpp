#include "services/clientconfig.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace metamcp;

Q_DECLARE_METATYPE(metamcp::ClientKind)
Q_DECLARE_METATYPE(metamcp::UpstreamKind)

namespace {

QJsonObject obj(const char *json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}

const UpstreamConfig *find(const ImportResult &r, const QString &name)
{
    for (const UpstreamConfig &s : r.servers)
        if (s.name == name)
            return &s;
    return nullptr;
}

QList<UpstreamConfig> sampleServers()
{
    UpstreamConfig fs;
    fs.name = QStringLiteral("filesystem");
    fs.command = QStringLiteral("npx");
    fs.args = {QStringLiteral("-y"), QStringLiteral("@modelcontextprotocol/server-filesystem"),
               QStringLiteral("/home")};
    fs.env = {{QStringLiteral("DEBUG"), QStringLiteral("1")}};
    fs.cwd = QStringLiteral("/srv");

    UpstreamConfig http;
    http.name = QStringLiteral("remote_http");
    http.kind = UpstreamKind::StreamableHttp;
    http.url = QUrl(QStringLiteral("https://mcp.example.com/mcp"));
    http.headers = {{QStringLiteral("Authorization"), QStringLiteral("Bearer x")}};

    UpstreamConfig sse;
    sse.name = QStringLiteral("legacy-sse");
    sse.kind = UpstreamKind::Sse;
    sse.url = QUrl(QStringLiteral("http://127.0.0.1:3001/events")); // path does not say "sse"
    sse.enabled = false;

    UpstreamConfig odd;
    odd.name = QStringLiteral("http-on-sse-path");
    odd.kind = UpstreamKind::StreamableHttp;
    odd.url = QUrl(QStringLiteral("http://127.0.0.1:3002/sse"));

    return {fs, http, sse, odd};
}

// Only the fields the client formats carry.
void compareClientFields(const UpstreamConfig &actual, const UpstreamConfig &expected)
{
    QCOMPARE(actual.name, expected.name);
    QCOMPARE(actual.kind, expected.kind);
    QCOMPARE(actual.enabled, expected.enabled);
    QCOMPARE(actual.command, expected.command);
    QCOMPARE(actual.args, expected.args);
    QCOMPARE(actual.env, expected.env);
    QCOMPARE(actual.cwd, expected.cwd);
    QCOMPARE(actual.url, expected.url);
    QCOMPARE(actual.headers, expected.headers);
}

} // namespace

class TestClientConfig final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void importFormats_data();
    void importFormats();
    void transportDetection_data();
    void transportDetection();
    void badDocuments_data();
    void badDocuments();
    void skippedEntries_data();
    void skippedEntries();
    void sanitisedNames();
    void isolationKeys();
    void jsonc();
    void restEntries();
    void restEntriesSkipped_data();
    void restEntriesSkipped();
    void exportShapes();
    void roundTrip_data();
    void roundTrip();
    void mergeKeepsOtherKeys_data();
    void mergeKeepsOtherKeys();
    void importFile();
    void defaultPaths();
};

void TestClientConfig::importFormats_data()
{
    QTest::addColumn<QByteArray>("json");

    QTest::newRow("claude desktop") << QByteArray(R"({
        "globalShortcut": "Ctrl+Space",
        "mcpServers": {
            "filesystem": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home"],
                           "env": {"DEBUG": "1"}, "cwd": "/srv"},
            "remote": {"url": "https://mcp.example.com/mcp", "headers": {"Authorization": "Bearer x"}}
        }})");
    QTest::newRow("cursor") << QByteArray(R"({"mcpServers": {
            "filesystem": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home"],
                           "env": {"DEBUG": 1}, "cwd": "/srv"},
            "remote": {"url": "https://mcp.example.com/mcp", "headers": {"Authorization": "Bearer x"}}}})");
    QTest::newRow("vscode mcp.json") << QByteArray(R"({
        "inputs": [],
        "servers": {
            "filesystem": {"type": "stdio", "command": "npx",
                           "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home"],
                           "env": {"DEBUG": "1"}, "cwd": "/srv"},
            "remote": {"type": "http", "url": "https://mcp.example.com/mcp",
                       "headers": {"Authorization": "Bearer x"}}
        }})");
    QTest::newRow("vscode settings.json") << QByteArray(R"({
        "editor.fontSize": 14,
        "mcp": {"servers": {
            "filesystem": {"type": "stdio", "command": "npx",
                           "args": ["-y", "@modelcontextprotocol/server-filesystem", "/home"],
                           "env": {"DEBUG": "1"}, "cwd": "/srv"},
            "remote": {"type": "http", "url": "https://mcp.example.com/mcp",
                       "headers": {"Authorization": "Bearer x"}}
        }}})");
}

void TestClientConfig::importFormats()
{
    QFETCH(QByteArray, json);
    const ImportResult r = importMcpServers(json);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QVERIFY2(r.warnings.isEmpty(), qPrintable(r.warnings.join(QLatin1Char('\n'))));
    QCOMPARE(r.servers.size(), 2);

    const UpstreamConfig *fs = find(r, QStringLiteral("filesystem"));
    QVERIFY(fs);
    QCOMPARE(fs->kind, UpstreamKind::Stdio);
    QCOMPARE(fs->command, QStringLiteral("npx"));
    QCOMPARE(fs->args, (QStringList{QStringLiteral("-y"), QStringLiteral("@modelcontextprotocol/server-filesystem"),
                                    QStringLiteral("/home")}));
    QCOMPARE(fs->env.value(QStringLiteral("DEBUG")), QStringLiteral("1"));
    QCOMPARE(fs->cwd, QStringLiteral("/srv"));
    QVERIFY(fs->enabled);

    const UpstreamConfig *remote = find(r, QStringLiteral("remote"));
    QVERIFY(remote);
    QCOMPARE(remote->kind, UpstreamKind::StreamableHttp);
    QCOMPARE(remote->url, QUrl(QStringLiteral("https://mcp.example.com/mcp")));
    QCOMPARE(remote->headers.value(QStringLiteral("Authorization")), QStringLiteral("Bearer x"));
}

void TestClientConfig::transportDetection_data()
{
    QTest::addColumn<QByteArray>("entry");
    QTest::addColumn<UpstreamKind>("kind");

    QTest::newRow("url: http") << QByteArray(R"({"url": "http://h/mcp"})") << UpstreamKind::StreamableHttp;
    QTest::newRow("url ending /sse") << QByteArray(R"({"url": "http://h/sse"})") << UpstreamKind::Sse;
    QTest::newRow("url ending /sse/") << QByteArray(R"({"url": "http://h/v1/sse/"})") << UpstreamKind::Sse;
    QTest::newRow("url with sse query") << QByteArray(R"({"url": "http://h/mcp?x=/sse"})")
                                        << UpstreamKind::StreamableHttp;
    QTest::newRow("type sse") << QByteArray(R"({"type": "sse", "url": "http://h/events"})") << UpstreamKind::Sse;
    QTest::newRow("type http beats /sse")
        << QByteArray(R"({"type": "http", "url": "http://h/sse"})") << UpstreamKind::StreamableHttp;
    QTest::newRow("type streamable-http")
        << QByteArray(R"({"type": "streamable-http", "url": "http://h/mcp"})") << UpstreamKind::StreamableHttp;
    QTest::newRow("type stdio") << QByteArray(R"({"type": "stdio", "command": "x"})") << UpstreamKind::Stdio;
    QTest::newRow("command") << QByteArray(R"({"command": "x"})") << UpstreamKind::Stdio;
}

void TestClientConfig::transportDetection()
{
    QFETCH(QByteArray, entry);
    QFETCH(UpstreamKind, kind);
    const ImportResult r = importMcpServers(R"({"mcpServers": {"s": )" + entry + "}}");
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.servers.size(), 1);
    QCOMPARE(r.servers.constFirst().kind, kind);
}

// MetaMCP's own keys in an entry: isolation and its bounds; an unknown mode stays shared with a
// warning, a bad bound skips the entry.
void TestClientConfig::isolationKeys()
{
    const ImportResult r = importMcpServers(R"({"mcpServers": {
        "a": {"command": "x", "isolation": "per-session", "maxInstances": 3, "instanceIdleMs": 2000,
              "warmInstances": 2},
        "b": {"url": "http://h/mcp", "isolation": "per-principal"},
        "c": {"command": "x", "isolation": "per-galaxy"},
        "d": {"command": "x", "isolation": "per-session", "maxInstances": 0},
        "e": {"command": "x", "isolation": "per-session", "maxInstances": 2, "warmInstances": 3}}})");
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.servers.size(), 3);
    QCOMPARE(r.servers.at(0).isolation, UpstreamIsolation::PerSession);
    QCOMPARE(r.servers.at(0).maxInstances, 3);
    QCOMPARE(r.servers.at(0).instanceIdleMs, 2000);
    QCOMPARE(r.servers.at(0).warmInstances, 2);
    QCOMPARE(r.servers.at(1).warmInstances, 1);
    QCOMPARE(r.servers.at(1).isolation, UpstreamIsolation::PerPrincipal);
    QCOMPARE(r.servers.at(2).isolation, UpstreamIsolation::Shared);
    const QString warnings = r.warnings.join(u'\n');
    QVERIFY2(warnings.contains(QLatin1String("unknown isolation \"per-galaxy\"")), qPrintable(warnings));
    QVERIFY2(warnings.contains(QLatin1String("\"d\": The number of isolated instances")), qPrintable(warnings));
    QVERIFY2(warnings.contains(QLatin1String("\"e\": The number of isolated instances kept ready")),
             qPrintable(warnings));
}

void TestClientConfig::badDocuments_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("not json") << QByteArray("mcpServers: {}");
    QTest::newRow("truncated") << QByteArray(R"({"mcpServers": {"a": {"command": "x"})");
    QTest::newRow("array") << QByteArray("[1, 2]");
    QTest::newRow("no servers key") << QByteArray(R"({"something": {}})");
    QTest::newRow("servers not an object") << QByteArray(R"({"mcpServers": ["a"]})");
}

void TestClientConfig::badDocuments()
{
    QFETCH(QByteArray, json);
    const ImportResult r = importMcpServers(json);
    QVERIFY(!r.ok());
    QVERIFY(!r.error.isEmpty());
    QVERIFY(r.servers.isEmpty());
}

void TestClientConfig::skippedEntries_data()
{
    QTest::addColumn<QByteArray>("entry");
    QTest::addColumn<QString>("warningPart");

    QTest::newRow("neither") << QByteArray(R"({"args": ["x"]})") << QStringLiteral("neither");
    QTest::newRow("not an object") << QByteArray(R"("npx foo")") << QStringLiteral("not an object");
    QTest::newRow("empty command") << QByteArray(R"({"command": ""})") << QStringLiteral("neither");
    QTest::newRow("stdio without command")
        << QByteArray(R"({"type": "stdio", "url": "http://h/"})") << QStringLiteral("command");
    QTest::newRow("bad url") << QByteArray(R"({"url": "not a url"})") << QStringLiteral("url");
    QTest::newRow("ftp url") << QByteArray(R"({"url": "ftp://h/x"})") << QStringLiteral("url");
    QTest::newRow("unknown type") << QByteArray(R"({"type": "websocket", "url": "ws://h/"})")
                                  << QStringLiteral("websocket");
}

void TestClientConfig::skippedEntries()
{
    QFETCH(QByteArray, entry);
    QFETCH(QString, warningPart);
    const ImportResult r = importMcpServers(R"({"mcpServers": {"good": {"command": "ok"}, "bad": )" + entry + "}}");
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.servers.size(), 1);
    QCOMPARE(r.servers.constFirst().name, QStringLiteral("good"));
    QCOMPARE(r.warnings.size(), 1);
    QVERIFY2(r.warnings.constFirst().contains(QLatin1String("\"bad\"")), qPrintable(r.warnings.constFirst()));
    QVERIFY2(r.warnings.constFirst().contains(warningPart, Qt::CaseInsensitive), qPrintable(r.warnings.constFirst()));
}

void TestClientConfig::sanitisedNames()
{
    const ImportResult r = importMcpServers(R"({"mcpServers": {
        "my server.v2": {"command": "a"},
        "my-server-v2": {"command": "b"},
        "ok_name-1": {"command": "c"},
        "日本": {"command": "d"}
    }})");
    QVERIFY(r.ok());
    QCOMPARE(r.servers.size(), 4);
    QStringList names;
    for (const UpstreamConfig &s : r.servers) {
        names << s.name;
        QVERIFY2(QRegularExpression(QStringLiteral("^[A-Za-z0-9_-]+$")).match(s.name).hasMatch(), qPrintable(s.name));
    }
    QVERIFY(names.contains(QStringLiteral("ok_name-1")));
    QVERIFY(names.contains(QStringLiteral("my-server-v2")));
    QVERIFY(names.contains(QStringLiteral("my-server-v2-2"))); // sanitised name clashed: suffixed
    QVERIFY(names.contains(QStringLiteral("--")));
    // One warning per renamed entry, plus one for the clash.
    QCOMPARE(r.warnings.size(), 3);
    QVERIFY(r.warnings.join(QLatin1Char('\n')).contains(QLatin1String("my server.v2")));
}

void TestClientConfig::jsonc()
{
    const ImportResult r = importMcpServers(R"({
        // VS Code allows comments
        "servers": {
            /* and block comments */
            "a": {"type": "stdio", "command": "x", "args": ["http://not-a-comment", "/* nor this */"],},
        },
    })");
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.servers.size(), 1);
    QCOMPARE(r.servers.constFirst().args,
             (QStringList{QStringLiteral("http://not-a-comment"), QStringLiteral("/* nor this */")}));
}

void TestClientConfig::restEntries()
{
    const ImportResult r = importMcpServers(R"({"mcpServers": {
        "everything": {"command": "node", "args": ["index.js"]},
        "static": {"type": "rest", "url": "http://127.0.0.1:8080",
                   "headers": {"Accept": "application/json"},
                   "tools": [{"name": "get_item", "method": "get", "url": "/items/{id}",
                              "description": "One item",
                              "inputSchema": {"type": "object", "properties": {"id": {"type": "string"}},
                                              "required": ["id"]}},
                             {"name": "search", "url": "https://other.example.com/search", "query": ["q"],
                              "timeoutMs": 5000}]},
        "off": {"type": "REST", "disabled": true,
                "tools": [{"name": "t", "url": "http://127.0.0.1:9/x"}]}
    }})");
    QVERIFY2(r.ok(), qPrintable(r.error));
    QVERIFY2(r.warnings.isEmpty(), qPrintable(r.warnings.join(QLatin1Char('\n'))));
    QCOMPARE(r.servers.size(), 3);
    QCOMPARE(find(r, QStringLiteral("everything"))->kind, UpstreamKind::Stdio);

    const UpstreamConfig *rest = find(r, QStringLiteral("static"));
    QVERIFY(rest);
    QCOMPARE(rest->kind, UpstreamKind::Rest);
    QVERIFY(rest->enabled);
    QCOMPARE(rest->url, QUrl(QStringLiteral("http://127.0.0.1:8080")));
    QCOMPARE(rest->headers.value(QStringLiteral("Accept")), QStringLiteral("application/json"));
    QCOMPARE(rest->restTools.size(), 2);
    const RestToolConfig &item = rest->restTools.at(0);
    QCOMPARE(item.name, QStringLiteral("get_item"));
    QCOMPARE(item.method, QStringLiteral("GET"));
    QCOMPARE(item.urlTemplate, QStringLiteral("/items/{id}"));
    QCOMPARE(item.description, QStringLiteral("One item"));
    QCOMPARE(item.inputSchema.value(QStringLiteral("required")).toArray().size(), 1);
    const RestToolConfig &search = rest->restTools.at(1);
    QCOMPARE(search.method, QStringLiteral("GET"));
    QCOMPARE(search.queryParams, QStringList{QStringLiteral("q")});
    QCOMPARE(search.timeoutMs, 5000);
    QVERIFY(rest->validate().isEmpty());

    // Same fields as the store's JSON of a REST server, name aside.
    UpstreamConfig viaStore = UpstreamConfig::fromJson(rest->toJson());
    QCOMPARE(viaStore, *rest);

    const UpstreamConfig *off = find(r, QStringLiteral("off"));
    QVERIFY(off);
    QCOMPARE(off->kind, UpstreamKind::Rest);
    QVERIFY(!off->enabled);
    QVERIFY(off->url.isEmpty());

    // Client formats carry no REST servers.
    QCOMPARE(
        exportMcpServers(r.servers, ClientKind::ClaudeDesktop).value(QStringLiteral("mcpServers")).toObject().keys(),
        QStringList{QStringLiteral("everything")});
}

void TestClientConfig::restEntriesSkipped_data()
{
    QTest::addColumn<QByteArray>("entry");
    QTest::addColumn<QString>("warningPart");

    QTest::newRow("no tools") << QByteArray(R"({"type": "rest", "url": "http://h/"})") << QStringLiteral("tool");
    QTest::newRow("relative tool url, no base")
        << QByteArray(R"({"type": "rest", "tools": [{"name": "t", "url": "/x"}]})") << QStringLiteral("relative");
    QTest::newRow("bad method")
        << QByteArray(
               R"({"type": "rest", "url": "http://h/", "tools": [{"name": "t", "method": "FETCH", "url": "/x"}]})")
        << QStringLiteral("method");
    QTest::newRow("bad tool name")
        << QByteArray(R"({"type": "rest", "url": "http://h/", "tools": [{"name": "a b", "url": "/x"}]})")
        << QStringLiteral("a b");
    QTest::newRow("ftp base") << QByteArray(
                                     R"({"type": "rest", "url": "ftp://h/", "tools": [{"name": "t", "url": "/x"}]})")
                              << QStringLiteral("http");
}

void TestClientConfig::restEntriesSkipped()
{
    QFETCH(QByteArray, entry);
    QFETCH(QString, warningPart);
    const ImportResult r = importMcpServers(R"({"mcpServers": {"good": {"command": "ok"}, "bad": )" + entry + "}}");
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.servers.size(), 1);
    QCOMPARE(r.servers.constFirst().name, QStringLiteral("good"));
    QCOMPARE(r.warnings.size(), 1);
    QVERIFY2(r.warnings.constFirst().contains(QLatin1String("\"bad\"")), qPrintable(r.warnings.constFirst()));
    QVERIFY2(r.warnings.constFirst().contains(warningPart, Qt::CaseInsensitive), qPrintable(r.warnings.constFirst()));
}

void TestClientConfig::exportShapes()
{
    const QList<UpstreamConfig> servers = sampleServers();
    UpstreamConfig rest;
    rest.name = QStringLiteral("api");
    rest.kind = UpstreamKind::Rest;
    rest.url = QUrl(QStringLiteral("https://api.example.com"));

    const QJsonObject claude = exportMcpServers(servers + QList<UpstreamConfig>{rest}, ClientKind::ClaudeDesktop);
    QCOMPARE(claude.keys(), QStringList{QStringLiteral("mcpServers")});
    const QJsonObject map = claude.value(QStringLiteral("mcpServers")).toObject();
    QCOMPARE(map.size(), 4); // REST skipped
    const QJsonObject fs = map.value(QStringLiteral("filesystem")).toObject();
    QCOMPARE(fs.value(QStringLiteral("command")).toString(), QStringLiteral("npx"));
    QCOMPARE(fs.value(QStringLiteral("args")).toArray().size(), 3);
    QCOMPARE(fs.value(QStringLiteral("env")).toObject().value(QStringLiteral("DEBUG")).toString(), QStringLiteral("1"));
    QVERIFY(!fs.contains(QStringLiteral("type")));
    const QJsonObject http = map.value(QStringLiteral("remote_http")).toObject();
    QCOMPARE(http.value(QStringLiteral("url")).toString(), QStringLiteral("https://mcp.example.com/mcp"));
    QVERIFY(!http.contains(QStringLiteral("type")));
    QCOMPARE(map.value(QStringLiteral("legacy-sse")).toObject().value(QStringLiteral("type")).toString(),
             QStringLiteral("sse"));
    QCOMPARE(map.value(QStringLiteral("legacy-sse")).toObject().value(QStringLiteral("disabled")).toBool(), true);
    QCOMPARE(map.value(QStringLiteral("http-on-sse-path")).toObject().value(QStringLiteral("type")).toString(),
             QStringLiteral("http"));

    const QJsonObject vscode = exportMcpServers(servers, ClientKind::VsCode);
    QCOMPARE(vscode.keys(), QStringList{QStringLiteral("servers")});
    const QJsonObject vsMap = vscode.value(QStringLiteral("servers")).toObject();
    QCOMPARE(vsMap.value(QStringLiteral("filesystem")).toObject().value(QStringLiteral("type")).toString(),
             QStringLiteral("stdio"));
    QCOMPARE(vsMap.value(QStringLiteral("remote_http")).toObject().value(QStringLiteral("type")).toString(),
             QStringLiteral("http"));
    QCOMPARE(vsMap.value(QStringLiteral("legacy-sse")).toObject().value(QStringLiteral("type")).toString(),
             QStringLiteral("sse"));
}

void TestClientConfig::roundTrip_data()
{
    QTest::addColumn<ClientKind>("kind");
    QTest::newRow("claude") << ClientKind::ClaudeDesktop;
    QTest::newRow("cursor") << ClientKind::Cursor;
    QTest::newRow("vscode") << ClientKind::VsCode;
}

void TestClientConfig::roundTrip()
{
    QFETCH(ClientKind, kind);
    const QList<UpstreamConfig> servers = sampleServers();
    const QJsonObject doc = exportMcpServers(servers, kind);
    const ImportResult r = importMcpServers(QJsonDocument(doc).toJson());
    QVERIFY2(r.ok(), qPrintable(r.error));
    QVERIFY2(r.warnings.isEmpty(), qPrintable(r.warnings.join(QLatin1Char('\n'))));
    QCOMPARE(r.servers.size(), servers.size());
    for (const UpstreamConfig &expected : servers) {
        const UpstreamConfig *actual = find(r, expected.name);
        QVERIFY2(actual, qPrintable(expected.name));
        compareClientFields(*actual, expected);
    }
    // And the export of the import is the same document.
    QCOMPARE(exportMcpServers(r.servers, kind), doc);
}

void TestClientConfig::mergeKeepsOtherKeys_data()
{
    QTest::addColumn<ClientKind>("kind");
    QTest::addColumn<QJsonObject>("existing");
    QTest::addColumn<QStringList>("serversPath");

    QTest::newRow("claude") << ClientKind::ClaudeDesktop << obj(R"({"globalShortcut": "Alt+Space",
                                       "mcpServers": {"keep": {"command": "k"}, "metamcp": {"command": "old"}}})")
                            << QStringList{QStringLiteral("mcpServers")};
    QTest::newRow("claude empty") << ClientKind::ClaudeDesktop << QJsonObject{}
                                  << QStringList{QStringLiteral("mcpServers")};
    QTest::newRow("cursor") << ClientKind::Cursor << obj(R"({"mcpServers": {"keep": {"url": "http://h/mcp"}}})")
                            << QStringList{QStringLiteral("mcpServers")};
    QTest::newRow("vscode mcp.json") << ClientKind::VsCode << obj(R"({"inputs": [{"id": "tok", "type": "promptString"}],
                                                "servers": {"keep": {"type": "stdio", "command": "k"}}})")
                                     << QStringList{QStringLiteral("servers")};
    QTest::newRow("vscode settings.json") << ClientKind::VsCode << obj(R"({"editor.fontSize": 14,
                                                     "mcp": {"servers": {"keep": {"command": "k"}}, "other": 1}})")
                                          << QStringList{QStringLiteral("mcp"), QStringLiteral("servers")};
}

void TestClientConfig::mergeKeepsOtherKeys()
{
    QFETCH(ClientKind, kind);
    QFETCH(QJsonObject, existing);
    QFETCH(QStringList, serversPath);

    const QJsonObject entry{{QStringLiteral("url"), QStringLiteral("http://127.0.0.1:8787/mcp")}};
    const QJsonObject merged = mergeGatewayEntry(existing, kind, QStringLiteral("metamcp"), entry);

    // Everything but the servers map is untouched.
    for (auto it = existing.begin(); it != existing.end(); ++it) {
        if (it.key() == serversPath.constFirst())
            continue;
        QCOMPARE(merged.value(it.key()), it.value());
    }
    QJsonObject oldMap = existing;
    QJsonObject newMap = merged;
    for (const QString &k : serversPath) {
        if (k != serversPath.constLast()) {
            // Siblings at intermediate levels survive too.
            const QJsonObject o = oldMap.value(k).toObject();
            const QJsonObject n = newMap.value(k).toObject();
            for (auto it = o.begin(); it != o.end(); ++it)
                if (it.key() != serversPath.constLast())
                    QCOMPARE(n.value(it.key()), it.value());
        }
        oldMap = oldMap.value(k).toObject();
        newMap = newMap.value(k).toObject();
    }
    for (auto it = oldMap.begin(); it != oldMap.end(); ++it)
        if (it.key() != QLatin1String("metamcp"))
            QCOMPARE(newMap.value(it.key()), it.value());
    QCOMPARE(newMap.size(), oldMap.size() + (oldMap.contains(QStringLiteral("metamcp")) ? 0 : 1));
    const QJsonObject gateway = newMap.value(QStringLiteral("metamcp")).toObject();
    QCOMPARE(gateway.value(QStringLiteral("url")).toString(), QStringLiteral("http://127.0.0.1:8787/mcp"));
    if (kind == ClientKind::VsCode)
        QCOMPARE(gateway.value(QStringLiteral("type")).toString(), QStringLiteral("http"));

    // The merged document imports and contains the gateway entry.
    const ImportResult r = importMcpServers(QJsonDocument(merged).toJson());
    QVERIFY2(r.ok(), qPrintable(r.error));
    QVERIFY(find(r, QStringLiteral("metamcp")));
}

void TestClientConfig::importFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("claude_desktop_config.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"mcpServers": {"a": {"command": "x"}}})");
    file.close();
    const ImportResult r = importMcpServersFile(path);
    QVERIFY(r.ok());
    QCOMPARE(r.servers.size(), 1);

    const ImportResult missing = importMcpServersFile(dir.filePath(QStringLiteral("nope.json")));
    QVERIFY(!missing.ok());
}

void TestClientConfig::defaultPaths()
{
    const QString home = QDir::homePath();
    const QString claude = defaultClientConfigPath(ClientKind::ClaudeDesktop);
    const QString cursor = defaultClientConfigPath(ClientKind::Cursor);
    const QString vscode = defaultClientConfigPath(ClientKind::VsCode);
    QVERIFY(claude.endsWith(QLatin1String("Claude/claude_desktop_config.json")));
    QCOMPARE(cursor, home + QStringLiteral("/.cursor/mcp.json"));
    QVERIFY(vscode.endsWith(QLatin1String("Code/User/mcp.json")));
#if defined(Q_OS_LINUX)
    QCOMPARE(claude, home + QStringLiteral("/.config/Claude/claude_desktop_config.json"));
    QCOMPARE(vscode, home + QStringLiteral("/.config/Code/User/mcp.json"));
#elif defined(Q_OS_MACOS)
    QCOMPARE(claude, home + QStringLiteral("/Library/Application Support/Claude/claude_desktop_config.json"));
#endif
}

QTEST_GUILESS_MAIN(TestClientConfig)
#include "tst_clientconfig.moc"
