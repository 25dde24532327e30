#include "services/clientconfig.h"

#include "model/jsontext.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>
#include <QSet>

namespace metamcp {

namespace {

const QString kMcpServers = QStringLiteral("mcpServers");
const QString kServers = QStringLiteral("servers");
const QString kMcp = QStringLiteral("mcp");

bool isValidServerName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_-]+$"));
    return re.match(name).hasMatch();
}

QString sanitisedServerName(const QString &name)
{
    QString out;
    out.reserve(name.size());
    for (const QChar c : name) {
        const bool ok =
            (c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('A') && c <= QLatin1Char('Z')) ||
            (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('_') || c == QLatin1Char('-');
        out += ok ? c : QLatin1Char('-');
    }
    return out;
}

QMap<QString, QString> stringMap(const QJsonValue &value, const QString &what, const QString &entry,
                                 QStringList &warnings)
{
    QMap<QString, QString> out;
    if (value.isUndefined() || value.isNull())
        return out;
    if (!value.isObject()) {
        warnings << QStringLiteral("%1: \"%2\" is not an object; ignored").arg(entry, what);
        return out;
    }
    const QJsonObject object = value.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (const auto s = json::scalarText(it.value()))
            out.insert(it.key(), *s);
        else
            warnings << QStringLiteral("%1: %2 \"%3\" is not a string; ignored").arg(entry, what, it.key());
    }
    return out;
}

bool urlPathEndsWithSse(const QUrl &url)
{
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    return path.endsWith(QLatin1String("/sse"), Qt::CaseInsensitive);
}

bool mentionsInputVariable(const UpstreamConfig &server)
{
    const QLatin1String marker("${input:");
    auto inMap = [&](const QMap<QString, QString> &map) {
        for (const QString &v : map)
            if (v.contains(marker))
                return true;
        return false;
    };
    if (server.command.contains(marker) || server.url.toString().contains(marker) || inMap(server.env) ||
        inMap(server.headers))
        return true;
    for (const QString &a : server.args)
        if (a.contains(marker))
            return true;
    return false;
}

// One entry of the servers map; nullopt (with a warning) when it cannot be used.
std::optional<UpstreamConfig> parseEntry(const QString &entryName, const QJsonValue &value, QStringList &warnings)
{
    const QString label = QStringLiteral("\"%1\"").arg(entryName);
    if (!value.isObject()) {
        warnings << QStringLiteral("%1: entry is not an object; skipped").arg(label);
        return std::nullopt;
    }
    const QJsonObject entry = value.toObject();

    UpstreamConfig server;
    server.name = entryName;
    if (!isValidServerName(entryName)) {
        server.name = sanitisedServerName(entryName);
        if (server.name.isEmpty()) {
            warnings << QStringLiteral("%1: empty server name; skipped").arg(label);
            return std::nullopt;
        }
        warnings << QStringLiteral("%1: renamed to \"%2\" (server names may only contain A-Z, a-z, 0-9, _ and -)")
                        .arg(label, server.name);
    }

    const QString command = entry.value(QStringLiteral("command")).toString();
    const QString urlText = entry.value(QStringLiteral("url")).toString();
    const QString type = entry.value(QStringLiteral("type")).toString().toLower();

    if (type == QLatin1String("rest")) {
        // MetaMCP's own extension of the format: {"type": "rest", "url": base, "tools": [RestToolConfig]},
        // i.e. the UpstreamConfig JSON without its name. No MCP client reads it.
        const QString name = server.name;
        server = UpstreamConfig::fromJson(entry);
        server.name = name;
        server.kind = UpstreamKind::Rest;
        if (entry.value(QStringLiteral("disabled")).toBool(false))
            server.enabled = false;
        if (const QString problem = server.validate(); !problem.isEmpty()) {
            warnings << QStringLiteral("%1: %2 Skipped.").arg(label, problem);
            return std::nullopt;
        }
        return server;
    }

    if (!type.isEmpty()) {
        if (type == QLatin1String("stdio")) {
            server.kind = UpstreamKind::Stdio;
        } else if (type == QLatin1String("http") || type == QLatin1String("streamablehttp") ||
                   type == QLatin1String("streamable-http") || type == QLatin1String("streamable_http")) {
            server.kind = UpstreamKind::StreamableHttp;
        } else if (type == QLatin1String("sse")) {
            server.kind = UpstreamKind::Sse;
        } else {
            warnings << QStringLiteral("%1: unsupported type \"%2\"; skipped").arg(label, type);
            return std::nullopt;
        }
    } else if (!command.isEmpty()) {
        server.kind = UpstreamKind::Stdio;
    } else if (!urlText.isEmpty()) {
        server.kind = urlPathEndsWithSse(QUrl(urlText)) ? UpstreamKind::Sse : UpstreamKind::StreamableHttp;
    } else {
        warnings << QStringLiteral("%1: neither \"command\" nor \"url\"; skipped").arg(label);
        return std::nullopt;
    }

    if (server.kind == UpstreamKind::Stdio) {
        if (command.isEmpty()) {
            warnings << QStringLiteral("%1: stdio server without \"command\"; skipped").arg(label);
            return std::nullopt;
        }
        server.command = command;
        const QJsonValue args = entry.value(QStringLiteral("args"));
        if (args.isArray()) {
            const QJsonArray array = args.toArray();
            for (const QJsonValue &a : array) {
                if (const auto s = json::scalarText(a))
                    server.args << *s;
                else
                    warnings << QStringLiteral("%1: non-string argument ignored").arg(label);
            }
        } else if (!args.isUndefined() && !args.isNull()) {
            warnings << QStringLiteral("%1: \"args\" is not an array; ignored").arg(label);
        }
        server.env = stringMap(entry.value(QStringLiteral("env")), QStringLiteral("env"), label, warnings);
        server.cwd = entry.value(QStringLiteral("cwd")).toString();
        if (entry.contains(QStringLiteral("envFile")))
            warnings << QStringLiteral("%1: \"envFile\" is not supported; set the variables in env").arg(label);
    } else {
        const QUrl url(urlText, QUrl::StrictMode);
        const QString scheme = url.scheme().toLower();
        if (urlText.isEmpty() || !url.isValid() ||
            (scheme != QLatin1String("http") && scheme != QLatin1String("https")) || url.host().isEmpty()) {
            warnings << QStringLiteral("%1: missing or invalid http(s) \"url\"; skipped").arg(label);
            return std::nullopt;
        }
        server.url = url;
        server.headers = stringMap(entry.value(QStringLiteral("headers")), QStringLiteral("header"), label, warnings);
    }

    if (entry.value(QStringLiteral("disabled")).toBool(false))
        server.enabled = false;
    // MetaMCP's own keys (no MCP client reads them): who shares the server's process.
    if (const QJsonValue isolation = entry.value(QStringLiteral("isolation")); !isolation.isUndefined()) {
        if (const auto mode = upstreamIsolationFromName(isolation.toString())) {
            server.isolation = *mode;
            server.maxInstances = entry.value(QStringLiteral("maxInstances")).toInt(server.maxInstances);
            server.instanceIdleMs = entry.value(QStringLiteral("instanceIdleMs")).toInt(server.instanceIdleMs);
            server.warmInstances = entry.value(QStringLiteral("warmInstances")).toInt(server.warmInstances);
            if (const QString problem = server.validate(); !problem.isEmpty()) {
                warnings << QStringLiteral("%1: %2 Skipped.").arg(label, problem);
                return std::nullopt;
            }
        } else {
            warnings << QStringLiteral("%1: unknown isolation \"%2\" (shared, per-session or per-principal); "
                                       "it stays shared")
                            .arg(label, isolation.toString());
        }
    }
    if (mentionsInputVariable(server))
        warnings << QStringLiteral("%1: uses ${input:...} variables, which the gateway cannot prompt for; edit the "
                                   "values after import")
                        .arg(label);
    return server;
}

// VS Code's mcp.json and settings.json are JSONC: comments and trailing commas allowed.
QByteArray stripJsonc(const QByteArray &in)
{
    QByteArray out;
    out.reserve(in.size());
    const qsizetype n = in.size();
    for (qsizetype i = 0; i < n; ++i) {
        const char c = in.at(i);
        if (c == '"') {
            out += c;
            for (++i; i < n; ++i) {
                out += in.at(i);
                if (in.at(i) == '\\' && i + 1 < n)
                    out += in.at(++i);
                else if (in.at(i) == '"')
                    break;
            }
        } else if (c == '/' && i + 1 < n && in.at(i + 1) == '/') {
            while (i < n && in.at(i) != '\n')
                ++i;
            if (i < n)
                out += '\n';
        } else if (c == '/' && i + 1 < n && in.at(i + 1) == '*') {
            i += 2;
            while (i + 1 < n && !(in.at(i) == '*' && in.at(i + 1) == '/'))
                ++i;
            ++i; // at the closing '/'
            out += ' ';
        } else if (c == ',') {
            qsizetype j = i + 1;
            // Look past whitespace and comments for a closing bracket.
            bool trailing = false;
            while (j < n) {
                const char t = in.at(j);
                if (t == ' ' || t == '\t' || t == '\r' || t == '\n') {
                    ++j;
                } else if (t == '/' && j + 1 < n && in.at(j + 1) == '/') {
                    while (j < n && in.at(j) != '\n')
                        ++j;
                } else if (t == '/' && j + 1 < n && in.at(j + 1) == '*') {
                    j += 2;
                    while (j + 1 < n && !(in.at(j) == '*' && in.at(j + 1) == '/'))
                        ++j;
                    j += 2;
                } else {
                    trailing = (t == '}' || t == ']');
                    break;
                }
            }
            if (!trailing)
                out += c;
        } else {
            out += c;
        }
    }
    return out;
}

QJsonObject entryFor(const UpstreamConfig &server, ClientKind kind)
{
    QJsonObject entry;
    const bool vscode = kind == ClientKind::VsCode;
    auto toObject = [](const QMap<QString, QString> &map) {
        QJsonObject o;
        for (auto it = map.begin(); it != map.end(); ++it)
            o.insert(it.key(), it.value());
        return o;
    };
    switch (server.kind) {
    case UpstreamKind::Stdio:
        if (vscode)
            entry.insert(QStringLiteral("type"), QStringLiteral("stdio"));
        entry.insert(QStringLiteral("command"), server.command);
        entry.insert(QStringLiteral("args"), QJsonArray::fromStringList(server.args));
        if (!server.env.isEmpty())
            entry.insert(QStringLiteral("env"), toObject(server.env));
        if (!server.cwd.isEmpty())
            entry.insert(QStringLiteral("cwd"), server.cwd);
        break;
    case UpstreamKind::StreamableHttp:
    case UpstreamKind::Sse: {
        const bool sse = server.kind == UpstreamKind::Sse;
        // Claude Desktop / Cursor infer the transport from the URL; say it when the guess
        // would be wrong so that the document imports back to the same kind.
        if (vscode || sse || urlPathEndsWithSse(server.url))
            entry.insert(QStringLiteral("type"), sse ? QStringLiteral("sse") : QStringLiteral("http"));
        entry.insert(QStringLiteral("url"), server.url.toString(QUrl::FullyEncoded));
        if (!server.headers.isEmpty())
            entry.insert(QStringLiteral("headers"), toObject(server.headers));
        break;
    }
    case UpstreamKind::Rest:
        break;
    }
    if (!server.enabled)
        entry.insert(QStringLiteral("disabled"), true);
    return entry;
}

} // namespace

ImportResult importMcpServers(const QByteArray &json)
{
    ImportResult result;
    QJsonParseError parseError;
    QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        QJsonParseError relaxedError;
        const QJsonDocument relaxed = QJsonDocument::fromJson(stripJsonc(json), &relaxedError);
        if (relaxedError.error != QJsonParseError::NoError) {
            result.error =
                QStringLiteral("Not valid JSON: %1 at offset %2").arg(parseError.errorString()).arg(parseError.offset);
            return result;
        }
        doc = relaxed;
    }
    if (!doc.isObject()) {
        result.error = QStringLiteral("Not a JSON object");
        return result;
    }
    const QJsonObject root = doc.object();

    QJsonValue serversValue;
    if (root.contains(kMcpServers))
        serversValue = root.value(kMcpServers);
    else if (root.contains(kServers))
        serversValue = root.value(kServers);
    else if (root.value(kMcp).toObject().contains(kServers))
        serversValue = root.value(kMcp).toObject().value(kServers);
    else {
        result.error = QStringLiteral("No \"mcpServers\", \"servers\" or \"mcp.servers\" object found");
        return result;
    }
    if (!serversValue.isObject()) {
        result.error = QStringLiteral("The servers entry is not an object");
        return result;
    }

    const QJsonObject servers = serversValue.toObject();
    QSet<QString> taken;
    for (auto it = servers.begin(); it != servers.end(); ++it) {
        auto server = parseEntry(it.key(), it.value(), result.warnings);
        if (!server)
            continue;
        if (taken.contains(server->name)) {
            const QString base = server->name;
            int n = 2;
            while (taken.contains(base + QLatin1Char('-') + QString::number(n)))
                ++n;
            server->name = base + QLatin1Char('-') + QString::number(n);
            result.warnings
                << QStringLiteral("\"%1\": name already used; renamed to \"%2\"").arg(it.key(), server->name);
        }
        taken.insert(server->name);
        result.servers << *server;
    }
    return result;
}

ImportResult importMcpServersFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        ImportResult result;
        result.error = QStringLiteral("Cannot read %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return result;
    }
    return importMcpServers(file.readAll());
}

QJsonObject exportMcpServers(const QList<UpstreamConfig> &servers, ClientKind kind)
{
    QJsonObject map;
    for (const UpstreamConfig &server : servers) {
        if (server.kind == UpstreamKind::Rest)
            continue;
        map.insert(server.name, entryFor(server, kind));
    }
    QJsonObject doc;
    doc.insert(kind == ClientKind::VsCode ? kServers : kMcpServers, map);
    return doc;
}

QJsonObject mergeGatewayEntry(const QJsonObject &existing, ClientKind kind, const QString &entryName,
                              const QJsonObject &entry)
{
    QJsonObject doc = existing;
    if (kind != ClientKind::VsCode) {
        QJsonObject map = doc.value(kMcpServers).toObject();
        map.insert(entryName, entry);
        doc.insert(kMcpServers, map);
        return doc;
    }

    QJsonObject vsEntry = entry;
    if (!vsEntry.contains(QStringLiteral("type"))) {
        if (vsEntry.contains(QStringLiteral("url")))
            vsEntry.insert(QStringLiteral("type"), QStringLiteral("http"));
        else if (vsEntry.contains(QStringLiteral("command")))
            vsEntry.insert(QStringLiteral("type"), QStringLiteral("stdio"));
    }
    // settings.json keeps its servers under "mcp"; mcp.json at the top level.
    if (!doc.contains(kServers) && doc.value(kMcp).isObject()) {
        QJsonObject mcp = doc.value(kMcp).toObject();
        QJsonObject map = mcp.value(kServers).toObject();
        map.insert(entryName, vsEntry);
        mcp.insert(kServers, map);
        doc.insert(kMcp, mcp);
        return doc;
    }
    QJsonObject map = doc.value(kServers).toObject();
    map.insert(entryName, vsEntry);
    doc.insert(kServers, map);
    return doc;
}

QString defaultClientConfigPath(ClientKind kind)
{
    const QString home = QDir::homePath();
#if defined(Q_OS_WIN)
    QString appData = qEnvironmentVariable("APPDATA");
    if (appData.isEmpty())
        appData = home + QStringLiteral("/AppData/Roaming");
    appData = QDir::fromNativeSeparators(appData);
#endif
    switch (kind) {
    case ClientKind::ClaudeDesktop:
#if defined(Q_OS_MACOS)
        return home + QStringLiteral("/Library/Application Support/Claude/claude_desktop_config.json");
#elif defined(Q_OS_WIN)
        return appData + QStringLiteral("/Claude/claude_desktop_config.json");
#else
        return home + QStringLiteral("/.config/Claude/claude_desktop_config.json");
#endif
    case ClientKind::Cursor:
        return home + QStringLiteral("/.cursor/mcp.json");
    case ClientKind::VsCode:
#if defined(Q_OS_MACOS)
        return home + QStringLiteral("/Library/Application Support/Code/User/mcp.json");
#elif defined(Q_OS_WIN)
        return appData + QStringLiteral("/Code/User/mcp.json");
#else
        return home + QStringLiteral("/.config/Code/User/mcp.json");
#endif
    }
    return {};
}

QString clientDisplayName(ClientKind kind)
{
    switch (kind) {
    case ClientKind::ClaudeDesktop:
        return QStringLiteral("Claude Desktop");
    case ClientKind::Cursor:
        return QStringLiteral("Cursor");
    case ClientKind::VsCode:
        return QStringLiteral("VS Code");
    }
    return {};
}

} // namespace metamcp
