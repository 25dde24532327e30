#include "model/protocol.h"

#include <cmath>

#include "model/jsontext.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace metamcp::mcp {

const QStringList &sessionProtocolVersions()
{
    static const QStringList versions = {V2025_11_25, V2025_06_18, V2025_03_26, V2024_11_05};
    return versions;
}

const QStringList &allProtocolVersions()
{
    static const QStringList versions = {V2026_07_28, V2025_11_25, V2025_06_18, V2025_03_26, V2024_11_05};
    return versions;
}

QString headerAnnotationProblem(const QJsonObject &inputSchema)
{
    static const QByteArray tokenSpecials = "!#$%&'*+-.^_`|~";
    const QJsonObject properties = inputSchema.value(QLatin1String("properties")).toObject();
    QStringList seen;
    for (auto it = properties.begin(); it != properties.end(); ++it) {
        const QJsonObject property = it.value().toObject();
        if (!property.contains(QLatin1String("x-mcp-header")))
            continue;
        const QJsonValue annotation = property.value(QLatin1String("x-mcp-header"));
        const QString name = annotation.toString();
        if (!annotation.isString() || name.isEmpty())
            return QStringLiteral("the x-mcp-header of \"%1\" is not a non-empty string").arg(it.key());
        for (const QChar c : name) {
            const ushort u = c.unicode();
            const bool token = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
                               (u < 0x80 && tokenSpecials.contains(char(u)));
            if (!token)
                return QStringLiteral("the x-mcp-header \"%1\" has a character a header name cannot have").arg(name);
        }
        const QString type = property.value(QLatin1String("type")).toString();
        if (type != u"string" && type != u"integer" && type != u"boolean")
            return QStringLiteral(
                       "the x-mcp-header \"%1\" is on a property of type %2 (string, integer or boolean only)")
                .arg(name, type.isEmpty() ? QStringLiteral("(none)") : type);
        if (seen.contains(name, Qt::CaseInsensitive))
            return QStringLiteral("the x-mcp-header \"%1\" is used twice").arg(name);
        seen.append(name);
    }
    return {};
}

} // namespace metamcp::mcp

namespace metamcp::jsonrpc {

bool isValidId(const QJsonValue &id)
{
    if (id.isString())
        return true;
    if (id.isDouble()) {
        // An integer that fits in 64 bits (a cast of anything else is undefined behaviour).
        const double d = id.toDouble();
        return std::isfinite(d) && d >= -0x1p63 && d < 0x1p63 && d == std::trunc(d);
    }
    return false;
}

QString idKey(const QJsonValue &id)
{
    if (id.isString())
        return QLatin1String("s:") + id.toString();
    return QLatin1String("n:") + QString::number(static_cast<qint64>(id.toDouble()));
}

QByteArray idText(const QJsonValue &id)
{
    if (id.isString()) {
        QByteArray out;
        json::appendJsonString(out, id.toString().toUtf8());
        return out;
    }
    if (isValidId(id))
        return QByteArray::number(id.toInteger());
    if (id.isNull() || id.isUndefined())
        return QByteArrayLiteral("null");
    QByteArray text = QJsonDocument(QJsonArray{id}).toJson(QJsonDocument::Compact);
    return text.mid(1, text.size() - 2); // without the brackets
}

QByteArray resultMessage(const QJsonValue &id, QByteArrayView resultJson)
{
    const QByteArray idBytes = idText(id);
    QByteArray out;
    out.reserve(resultJson.size() + idBytes.size() + 36);
    out.append(R"({"jsonrpc":"2.0","id":)").append(idBytes).append(R"(,"result":)").append(resultJson).append('}');
    return out;
}

Kind classify(const QJsonObject &m, QString *why)
{
    auto invalid = [why](const QString &reason) {
        if (why)
            *why = reason;
        return Kind::Invalid;
    };
    if (m.value(QLatin1String("jsonrpc")).toString() != QLatin1String("2.0"))
        return invalid(QStringLiteral("\"jsonrpc\" must be \"2.0\""));
    const bool hasId = m.contains(QLatin1String("id"));
    const QJsonValue method = m.value(QLatin1String("method"));
    if (m.contains(QLatin1String("method"))) {
        if (!method.isString() || method.toString().isEmpty())
            return invalid(QStringLiteral("\"method\" must be a non-empty string"));
        const QJsonValue params = m.value(QLatin1String("params"));
        if (m.contains(QLatin1String("params")) && !params.isObject())
            return invalid(QStringLiteral("\"params\" must be an object"));
        if (!hasId)
            return Kind::Notification;
        if (!isValidId(m.value(QLatin1String("id"))))
            return invalid(QStringLiteral("\"id\" must be a string or an integer"));
        return Kind::Request;
    }
    if (hasId && (m.contains(QLatin1String("result")) != m.contains(QLatin1String("error")))) {
        const QJsonValue id = m.value(QLatin1String("id"));
        if (!isValidId(id) && !id.isNull())
            return invalid(QStringLiteral("\"id\" must be a string or an integer"));
        if (m.contains(QLatin1String("result")) && !m.value(QLatin1String("result")).isObject())
            return invalid(QStringLiteral("\"result\" must be an object"));
        return Kind::Response;
    }
    return invalid(QStringLiteral("not a JSON-RPC request, notification or response"));
}

QJsonObject request(const QJsonValue &id, const QString &method, const QJsonObject &params)
{
    QJsonObject o{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                  {QStringLiteral("id"), id},
                  {QStringLiteral("method"), method}};
    if (!params.isEmpty())
        o.insert(QStringLiteral("params"), params);
    return o;
}

QJsonObject notification(const QString &method, const QJsonObject &params)
{
    QJsonObject o{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")}, {QStringLiteral("method"), method}};
    if (!params.isEmpty())
        o.insert(QStringLiteral("params"), params);
    return o;
}

QJsonObject result(const QJsonValue &id, const QJsonObject &result)
{
    return {{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
            {QStringLiteral("id"), id},
            {QStringLiteral("result"), result}};
}

QJsonObject error(const QJsonValue &id, int code, const QString &message, const QJsonValue &data)
{
    QJsonObject e{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}};
    if (!data.isUndefined() && !data.isNull())
        e.insert(QStringLiteral("data"), data);
    return {{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
            {QStringLiteral("id"), id.isUndefined() ? QJsonValue(QJsonValue::Null) : id},
            {QStringLiteral("error"), e}};
}

} // namespace metamcp::jsonrpc
