#include "services/configdocument.h"

#include "core/schemavalidator.h"
#include "services/credentialstore.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QRegularExpression>

#include <yaml-cpp/yaml.h>

#include <cmath>

namespace metamcp::configdoc {

namespace {

using namespace Qt::StringLiterals;

// ---- YAML <-> JSON -------------------------------------------------------------------------

QJsonValue fromYaml(const YAML::Node &node)
{
    switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
        return QJsonValue::Null;
    case YAML::NodeType::Scalar: {
        const QString text = QString::fromStdString(node.Scalar());
        if (node.Tag() == "!") // quoted: a string whatever it looks like
            return text;
        static const QRegularExpression integer(u"^[-+]?[0-9]+$"_s);
        static const QRegularExpression real(u"^[-+]?([0-9]+\\.[0-9]*|\\.[0-9]+|[0-9]+)([eE][-+]?[0-9]+)?$"_s);
        if (text == u"true" || text == u"True" || text == u"TRUE")
            return true;
        if (text == u"false" || text == u"False" || text == u"FALSE")
            return false;
        if (text == u"null" || text == u"Null" || text == u"NULL" || text == u"~" || text.isEmpty())
            return QJsonValue::Null;
        if (integer.match(text).hasMatch()) {
            bool ok = false;
            const qint64 v = text.toLongLong(&ok);
            if (ok)
                return QJsonValue(v);
        }
        if (real.match(text).hasMatch())
            return text.toDouble();
        return text;
    }
    case YAML::NodeType::Sequence: {
        QJsonArray a;
        for (const YAML::Node &item : node)
            a.append(fromYaml(item));
        return a;
    }
    case YAML::NodeType::Map: {
        QJsonObject o;
        for (const auto &pair : node)
            o.insert(QString::fromStdString(pair.first.as<std::string>()), fromYaml(pair.second));
        return o;
    }
    }
    return QJsonValue::Null;
}

void toYaml(YAML::Emitter &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out << YAML::Null;
        break;
    case QJsonValue::Bool:
        out << value.toBool();
        break;
    case QJsonValue::Double: {
        const double d = value.toDouble();
        if (std::trunc(d) == d && std::abs(d) < 9e15)
            out << static_cast<long long>(d);
        else
            out << QByteArray::number(d, 'g', 17).toStdString();
        break;
    }
    case QJsonValue::String:
        out << YAML::DoubleQuoted << value.toString().toStdString();
        break;
    case QJsonValue::Array: {
        const QJsonArray a = value.toArray();
        if (a.isEmpty()) {
            out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
            break;
        }
        out << YAML::BeginSeq;
        for (const QJsonValue &v : a)
            toYaml(out, v);
        out << YAML::EndSeq;
        break;
    }
    case QJsonValue::Object: {
        const QJsonObject o = value.toObject();
        if (o.isEmpty()) {
            out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
            break;
        }
        out << YAML::BeginMap;
        for (auto it = o.begin(); it != o.end(); ++it) {
            out << YAML::Key << it.key().toStdString() << YAML::Value;
            toYaml(out, it.value());
        }
        out << YAML::EndMap;
        break;
    }
    }
}

// ---- helpers -------------------------------------------------------------------------------

QStringList stringList(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &x : v.toArray())
        out.append(x.toString());
    return out;
}

QString secretRef(const QString &server, const QString &field)
{
    return u"keychain:"_s + CredentialStore::serverKey(server, field);
}

// A "headers" or "env" map: plain values, or secret references (recorded in `desired`).
QMap<QString, QString> valueMap(const QJsonValue &value, const QString &where, const QString &server,
                                const QString &fieldPrefix, QStringList *secretNames, Desired &desired,
                                QStringList *errors)
{
    QMap<QString, QString> out;
    const QJsonObject o = value.toObject();
    for (auto it = o.begin(); it != o.end(); ++it) {
        const QString path = where + u'.' + it.key();
        if (it.value().isObject()) {
            const QString ref = it.value().toObject().value("secret"_L1).toString();
            const qsizetype colon = ref.indexOf(u':');
            const QString scheme = ref.left(colon);
            if (colon <= 0 || colon == ref.size() - 1 || (scheme != u"keychain" && scheme != u"env")) {
                errors->append(u"%1: a secret reference is \"keychain:<entry>\" or \"env:<VARIABLE>\""_s.arg(path));
                continue;
            }
            out.insert(it.key(), QString());
            if (!secretNames->contains(it.key()))
                secretNames->append(it.key());
            desired.secrets[server].insert(fieldPrefix + it.key(), ref);
        } else if (it.value().isString()) {
            if (UpstreamConfig::looksSecret(it.key())) {
                errors->append(u"%1: looks like a secret, so its value must be a reference "
                               "({\"secret\": \"env:VARIABLE\"} or {\"secret\": \"keychain:ENTRY\"}), "
                               "never the value itself"_s.arg(path));
                continue;
            }
            out.insert(it.key(), it.value().toString());
        } else {
            errors->append(u"%1: a string or a secret reference"_s.arg(path));
        }
    }
    return out;
}

// "/servers/x/url" -> "servers.x.url"
QString dotted(const QString &pointer)
{
    QString p = pointer;
    if (p.startsWith(u'/'))
        p.remove(0, 1);
    p.replace(u'/', u'.');
    return p.isEmpty() ? u"(document)"_s : p;
}

} // namespace

Format formatForPath(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == u"yaml" || suffix == u"yml" ? Format::Yaml : Format::Json;
}

QJsonObject read(const QByteArray &text, Format format, QString *error)
{
    error->clear();
    if (format == Format::Json) {
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(text, &parseError);
        if (parseError.error != QJsonParseError::NoError) {
            const int line = int(text.left(parseError.offset).count('\n')) + 1;
            *error = u"line %1: not valid JSON: %2"_s.arg(line).arg(parseError.errorString());
            return {};
        }
        if (!doc.isObject()) {
            *error = u"(document): must be an object"_s;
            return {};
        }
        return doc.object();
    }
    try {
        const YAML::Node root = YAML::Load(text.toStdString());
        const QJsonValue value = fromYaml(root);
        if (!value.isObject()) {
            *error = u"(document): must be a mapping"_s;
            return {};
        }
        return value.toObject();
    } catch (const YAML::Exception &e) {
        *error = u"line %1, column %2: not valid YAML: %3"_s.arg(e.mark.line + 1)
                     .arg(e.mark.column + 1)
                     .arg(QString::fromStdString(e.msg));
        return {};
    }
}

QJsonObject schema()
{
    static const QJsonObject compiled = [] {
        QFile file(u":/metamcp/schema/metamcp-config.schema.json"_s);
        if (!file.open(QIODevice::ReadOnly))
            qFatal("the configuration schema is not compiled in");
        return QJsonDocument::fromJson(file.readAll()).object();
    }();
    return compiled;
}

Desired parse(const QByteArray &text, Format format, QStringList *errors)
{
    errors->clear();
    Desired desired;
    QString error;
    const QJsonObject doc = read(text, format, &error);
    if (!error.isEmpty()) {
        errors->append(error);
        return {};
    }
    const QJsonValue version = doc.value("version"_L1);
    if (version.isDouble() && version.toInt() > kVersion) {
        errors->append(u"version: %1 is newer than this MetaMCP reads (%2)"_s.arg(version.toInt()).arg(kVersion));
        return {};
    }
    SchemaValidator validator;
    if (const auto violation = validator.validate(schema(), doc)) {
        errors->append(u"%1: %2"_s.arg(dotted(violation->path), violation->message));
        return {};
    }

    const QJsonObject listen = doc.value("settings"_L1).toObject().value("listen"_L1).toObject();
    desired.hasListen = doc.value("settings"_L1).toObject().contains("listen"_L1);
    if (desired.hasListen) {
        ListenConfig l;
        const QString address = listen.value("address"_L1).toString(l.address.toString());
        if (address == u"localhost")
            l.address = QHostAddress::LocalHost;
        else if (!l.address.setAddress(address))
            errors->append(u"settings.listen.address: \"%1\" is not an IP address"_s.arg(address));
        l.port = quint16(listen.value("port"_L1).toInt(l.port));
        l.allowedOrigins = stringList(listen.value("allowedOrigins"_L1));
        l.allowedHosts = stringList(listen.value("allowedHosts"_L1));
        l.tlsCertificateFile = listen.value("tlsCertificateFile"_L1).toString();
        l.tlsKeyFile = listen.value("tlsKeyFile"_L1).toString();
        l.maxBodyBytes = listen.value("maxBodyBytes"_L1).toInteger(l.maxBodyBytes);
        desired.config.listen = l;
    }

    const QJsonObject servers = doc.value("servers"_L1).toObject();
    for (auto it = servers.begin(); it != servers.end(); ++it) {
        const QJsonObject s = it.value().toObject();
        const QString where = u"servers."_s + it.key();
        UpstreamConfig c;
        c.name = it.key();
        c.kind = upstreamKindFromName(s.value("type"_L1).toString()).value_or(UpstreamKind::Stdio);
        c.enabled = s.value("enabled"_L1).toBool(true);
        c.command = s.value("command"_L1).toString();
        c.args = stringList(s.value("args"_L1));
        c.env = valueMap(s.value("env"_L1), where + u".env"_s, c.name, u"env:"_s, &c.secretEnv, desired, errors);
        c.cwd = s.value("cwd"_L1).toString();
        c.url = QUrl(s.value("url"_L1).toString());
        c.headers = valueMap(s.value("headers"_L1), where + u".headers"_s, c.name, u"header:"_s, &c.secretHeaders,
                             desired, errors);
        for (const QJsonValue &t : s.value("tools"_L1).toArray())
            c.restTools.append(RestToolConfig::fromJson(t.toObject()));
        const UpstreamConfig defaults;
        c.requestTimeoutMs = s.value("requestTimeoutMs"_L1).toInt(defaults.requestTimeoutMs);
        c.maxConcurrency = s.value("maxConcurrency"_L1).toInt(defaults.maxConcurrency);
        c.startupTimeoutMs = s.value("startupTimeoutMs"_L1).toInt(defaults.startupTimeoutMs);
        c.isolation = upstreamIsolationFromName(s.value("isolation"_L1).toString(u"shared"_s))
                          .value_or(UpstreamIsolation::Shared);
        c.maxInstances = s.value("maxInstances"_L1).toInt(defaults.maxInstances);
        c.instanceIdleMs = s.value("instanceIdleMs"_L1).toInt(defaults.instanceIdleMs);
        c.warmInstances = s.value("warmInstances"_L1).toInt(defaults.warmInstances);
        desired.config.servers.append(c);
    }

    const QJsonObject namespaces = doc.value("namespaces"_L1).toObject();
    for (auto it = namespaces.begin(); it != namespaces.end(); ++it) {
        const QJsonObject n = it.value().toObject();
        NamespaceConfig ns;
        ns.name = it.key();
        ns.description = n.value("description"_L1).toString();
        ns.servers = stringList(n.value("servers"_L1));
        ns.separator = n.value("separator"_L1).toString(ns.separator);
        ns.prefixNames = n.value("prefixNames"_L1).toBool(true);
        ns.requireApiKey = n.value("requireApiKey"_L1).toBool(false);
        for (const QJsonValue &v : n.value("overrides"_L1).toArray()) {
            const QJsonObject o = v.toObject();
            ToolOverride t;
            t.server = o.value("server"_L1).toString();
            t.tool = o.value("tool"_L1).toString();
            t.enabled = o.value("enabled"_L1).toBool(true);
            t.rename = o.value("rename"_L1).toString();
            t.description = o.value("description"_L1).toString();
            ns.toolOverrides.append(t);
        }
        if (ns.name == kDefaultNamespace)
            desired.hasDefault = true;
        desired.config.namespaces.append(ns);
    }

    // What the document says as a whole (the default namespace added as it would stay).
    GatewayConfig whole = desired.config;
    if (!whole.ns(kDefaultNamespace)) {
        NamespaceConfig def;
        def.name = kDefaultNamespace;
        whole.namespaces.prepend(def);
    }
    for (const QString &problem : ConfigService::validate(whole))
        errors->append(problem);
    return desired;
}

QByteArray write(const GatewayConfig &config, Format format)
{
    QJsonObject root{{u"version"_s, kVersion}};
    const ListenConfig &l = config.listen;
    root.insert(
        u"settings"_s,
        QJsonObject{{u"listen"_s, QJsonObject{{u"address"_s, l.address.toString()},
                                              {u"port"_s, int(l.port)},
                                              {u"allowedOrigins"_s, QJsonArray::fromStringList(l.allowedOrigins)},
                                              {u"allowedHosts"_s, QJsonArray::fromStringList(l.allowedHosts)},
                                              {u"tlsCertificateFile"_s, l.tlsCertificateFile},
                                              {u"tlsKeyFile"_s, l.tlsKeyFile},
                                              {u"maxBodyBytes"_s, l.maxBodyBytes}}}});
    QJsonObject servers;
    const UpstreamConfig defaults;
    for (const UpstreamConfig &c : config.servers) {
        const QStringList secret = c.secretFields();
        auto values = [&](const QMap<QString, QString> &map, const QString &prefix) {
            QJsonObject o;
            for (auto it = map.cbegin(); it != map.cend(); ++it) {
                if (secret.contains(prefix + it.key()))
                    o.insert(it.key(), QJsonObject{{u"secret"_s, secretRef(c.name, prefix + it.key())}});
                else
                    o.insert(it.key(), it.value());
            }
            return o;
        };
        QJsonObject s{{u"type"_s, upstreamKindName(c.kind)}};
        if (!c.enabled)
            s.insert(u"enabled"_s, false);
        if (!c.command.isEmpty())
            s.insert(u"command"_s, c.command);
        if (!c.args.isEmpty())
            s.insert(u"args"_s, QJsonArray::fromStringList(c.args));
        if (!c.env.isEmpty())
            s.insert(u"env"_s, values(c.env, u"env:"_s));
        if (!c.cwd.isEmpty())
            s.insert(u"cwd"_s, c.cwd);
        if (!c.url.isEmpty())
            s.insert(u"url"_s, c.url.toString());
        if (!c.headers.isEmpty())
            s.insert(u"headers"_s, values(c.headers, u"header:"_s));
        if (!c.restTools.isEmpty()) {
            QJsonArray tools;
            for (const RestToolConfig &t : c.restTools)
                tools.append(t.toJson());
            s.insert(u"tools"_s, tools);
        }
        auto number = [&](const char *key, int value, int def) {
            if (value != def)
                s.insert(QLatin1String(key), value);
        };
        number("requestTimeoutMs", c.requestTimeoutMs, defaults.requestTimeoutMs);
        number("maxConcurrency", c.maxConcurrency, defaults.maxConcurrency);
        number("startupTimeoutMs", c.startupTimeoutMs, defaults.startupTimeoutMs);
        if (c.isolation != UpstreamIsolation::Shared)
            s.insert(u"isolation"_s, upstreamIsolationName(c.isolation));
        number("maxInstances", c.maxInstances, defaults.maxInstances);
        number("instanceIdleMs", c.instanceIdleMs, defaults.instanceIdleMs);
        number("warmInstances", c.warmInstances, defaults.warmInstances);
        servers.insert(c.name, s);
    }
    root.insert(u"servers"_s, servers);
    QJsonObject namespaces;
    for (const NamespaceConfig &ns : config.namespaces) {
        QJsonObject n{{u"servers"_s, QJsonArray::fromStringList(ns.servers)}};
        if (!ns.description.isEmpty())
            n.insert(u"description"_s, ns.description);
        if (ns.separator != NamespaceConfig().separator)
            n.insert(u"separator"_s, ns.separator);
        if (!ns.prefixNames)
            n.insert(u"prefixNames"_s, false);
        if (ns.requireApiKey)
            n.insert(u"requireApiKey"_s, true);
        if (!ns.toolOverrides.isEmpty()) {
            QJsonArray overrides;
            for (const ToolOverride &t : ns.toolOverrides) {
                QJsonObject o{{u"server"_s, t.server}, {u"tool"_s, t.tool}};
                if (!t.enabled)
                    o.insert(u"enabled"_s, false);
                if (!t.rename.isEmpty())
                    o.insert(u"rename"_s, t.rename);
                if (!t.description.isEmpty())
                    o.insert(u"description"_s, t.description);
                overrides.append(o);
            }
            n.insert(u"overrides"_s, overrides);
        }
        namespaces.insert(ns.name, n);
    }
    root.insert(u"namespaces"_s, namespaces);

    if (format == Format::Json)
        return QJsonDocument(root).toJson(QJsonDocument::Indented);
    YAML::Emitter out;
    out.SetIndent(2);
    toYaml(out, root);
    QByteArray bytes(out.c_str(), qsizetype(out.size()));
    bytes.append('\n');
    return bytes;
}

void resolveSecrets(Desired desired, CredentialStore &credentials,
                    std::function<void(const QStringList &, const Desired &)> done)
{
    struct State
    {
        Desired desired;
        QStringList errors;
        int pending = 1;
        std::function<void(const QStringList &, const Desired &)> done;
    };
    auto state = std::make_shared<State>();
    state->desired = std::move(desired);
    state->done = std::move(done);
    auto finishOne = [state] {
        if (--state->pending == 0) {
            state->errors.sort();
            state->done(state->errors, state->desired);
        }
    };
    auto setValue = [state](const QString &server, const QString &field, const QString &value) {
        for (UpstreamConfig &c : state->desired.config.servers)
            if (c.name == server)
                c.setSecretValue(field, value);
    };
    const auto secrets = state->desired.secrets;
    for (auto s = secrets.cbegin(); s != secrets.cend(); ++s) {
        for (auto f = s->cbegin(); f != s->cend(); ++f) {
            const QString server = s.key();
            const QString field = f.key();
            const QString ref = f.value();
            const QString path = u"servers.%1.%2.%3"_s.arg(
                server, field.startsWith(u"header:"_s) ? u"headers"_s : u"env"_s, field.section(u':', 1));
            if (ref.startsWith(u"env:"_s)) {
                const QString variable = ref.mid(4);
                const QString value = qEnvironmentVariable(variable.toLocal8Bit().constData());
                if (value.isEmpty())
                    state->errors.append(u"%1: the environment variable %2 is not set"_s.arg(path, variable));
                else
                    setValue(server, field, value);
                continue;
            }
            const QString entry = ref.mid(9);
            ++state->pending;
            credentials.read(entry, [state, setValue, server, field, entry, path,
                                     finishOne](const QString &error, const std::optional<QString> &value) {
                if (!error.isEmpty())
                    state->errors.append(u"%1: the keychain entry %2 cannot be read: %3"_s.arg(path, entry, error));
                else if (!value || value->isEmpty())
                    state->errors.append(u"%1: there is no keychain entry %2"_s.arg(path, entry));
                else
                    setValue(server, field, *value);
                finishOne();
            });
        }
    }
    finishOne();
}

ConfigService::Edit edit(const Desired &desired)
{
    return [desired](GatewayConfig &next) -> QString {
        QList<NamespaceConfig> namespaces = desired.config.namespaces;
        if (!desired.hasDefault) {
            // Not named: the default namespace stays, without what the document removes.
            NamespaceConfig def = next.ns(kDefaultNamespace) ? *next.ns(kDefaultNamespace) : NamespaceConfig{};
            def.name = kDefaultNamespace;
            def.servers.removeIf([&](const QString &s) { return !desired.config.server(s); });
            def.toolOverrides.removeIf([&](const ToolOverride &o) { return !desired.config.server(o.server); });
            namespaces.prepend(def);
        } else {
            // The default namespace first, as the gateway creates it.
            for (qsizetype i = 0; i < namespaces.size(); ++i)
                if (namespaces.at(i).name == kDefaultNamespace)
                    namespaces.move(i, 0);
        }
        next.servers = desired.config.servers;
        next.namespaces = namespaces;
        if (desired.hasListen)
            next.listen = desired.config.listen;
        return {};
    };
}

void apply(ConfigService &service, CredentialStore &credentials, const QByteArray &text, Format format, bool dryRun,
           ConfigService::Done done)
{
    QStringList errors;
    Desired desired = parse(text, format, &errors);
    if (!errors.isEmpty())
        return done(errors.join(u'\n'), {});
    if (service.hasListenOverride())
        desired.hasListen = false; // the command line (metamcpd --listen) wins over settings.listen
    QPointer<ConfigService> target = &service;
    resolveSecrets(std::move(desired), credentials,
                   [target, dryRun, done](const QStringList &errors, const Desired &resolved) {
                       if (!target)
                           return done(u"the gateway stopped"_s, {});
                       if (!errors.isEmpty())
                           return done(errors.join(u'\n'), {});
                       if (dryRun)
                           target->plan(edit(resolved), done);
                       else
                           target->change(edit(resolved), done);
                   });
}

QString describeChange(const ConfigChange &c)
{
    const QChar mark = c.type == ConfigChange::Type::Added ? u'+' : c.type == ConfigChange::Type::Removed ? u'-' : u'~';
    QString kind;
    switch (c.kind) {
    case ConfigChange::Kind::Server:
        kind = u"server"_s;
        break;
    case ConfigChange::Kind::Namespace:
        kind = u"namespace"_s;
        break;
    case ConfigChange::Kind::ToolOverride:
        kind = u"tool override"_s;
        break;
    case ConfigChange::Kind::Settings:
        kind = u"settings"_s;
        break;
    }
    QString line = u"%1 %2 %3"_s.arg(mark).arg(kind, c.name);
    if (!c.fields.isEmpty())
        line += u": "_s + c.fields.join(u", "_s);
    return line;
}

QString describe(const QList<ConfigChange> &changes)
{
    if (changes.isEmpty())
        return u"no changes"_s;
    QStringList lines;
    for (const ConfigChange &c : changes)
        lines.append(describeChange(c));
    return lines.join(u'\n');
}

} // namespace metamcp::configdoc
