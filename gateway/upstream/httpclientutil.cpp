#include "upstream/httpclientutil.h"

#include "upstream/upstream.h"

#include <QJsonDocument>
#include <QNetworkReply>

namespace metamcp::httpclient {

QNetworkRequest makeRequest(const QMap<QString, QString> &headers, const QUrl &url, const QByteArray &accept)
{
    QNetworkRequest request(url);
    for (auto it = headers.cbegin(); it != headers.cend(); ++it)
        request.setRawHeader(it.key().toUtf8(), it.value().toUtf8());
    request.setRawHeader("Accept", accept);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    return request;
}

bool isHttpUrl(const QUrl &url)
{
    return url.isValid() && (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https"));
}

void drop(QNetworkReply *reply, const QObject *receiver)
{
    if (!reply)
        return;
    QObject::disconnect(reply, nullptr, receiver, nullptr);
    reply->abort();
    reply->deleteLater();
}

QString displayUrl(const QUrl &url)
{
    return url.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment);
}

QString bodyExcerpt(const QByteArray &body, qsizetype maxChars)
{
    QString text = QString::fromUtf8(body.left(maxChars * 4)).simplified();
    if (text.size() > maxChars)
        text = text.left(maxChars) + QStringLiteral("…");
    return text;
}

int httpStatus(const QNetworkReply *reply)
{
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

QByteArray mediaType(const QNetworkReply *reply)
{
    QByteArray type = reply->rawHeader("Content-Type");
    const qsizetype semicolon = type.indexOf(';');
    if (semicolon >= 0)
        type.truncate(semicolon);
    return type.trimmed().toLower();
}

QString failureMessage(const QNetworkReply *reply, const QUrl &url, const QByteArray &body)
{
    const int status = httpStatus(reply);
    if (status == 0)
        return QStringLiteral("network error from %1: %2").arg(displayUrl(url), reply->errorString());
    QString message = QStringLiteral("HTTP %1 from %2").arg(status).arg(displayUrl(url));
    QString excerpt = bodyExcerpt(body);
    if (excerpt.isEmpty())
        excerpt = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    if (!excerpt.isEmpty())
        message += QStringLiteral(": ") + excerpt;
    return message;
}

QString authorizationFailure(const QNetworkReply *reply)
{
    const int status = httpStatus(reply);
    if (status != 401 && status != 403)
        return {};
    QString text = QStringLiteral("needs authorization: HTTP %1").arg(status);
    QString challenge = QString::fromLatin1(reply->rawHeader("WWW-Authenticate")).simplified();
    // The scheme ("Bearer") says little; its parameters say where a token comes from.
    const qsizetype space = challenge.indexOf(QLatin1Char(' '));
    if (space > 0 && !challenge.left(space).contains(QLatin1Char('=')))
        challenge = challenge.mid(space + 1);
    if (!challenge.isEmpty())
        text += QStringLiteral(", ") + challenge.left(300);
    return text;
}

int failureCode(int status, const QByteArray &body)
{
    if (status == 401 || status == 403)
        return rpcerr::Unauthorized;
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    const QJsonValue code = object.value(QLatin1String("error")).toObject().value(QLatin1String("code"));
    if (code.isDouble() && code.toInt() != 0)
        return code.toInt();
    return rpcerr::UpstreamUnavailable;
}

bool sessionLost(int status, const QByteArray &body)
{
    return status == 404 || (status == 400 && body.toLower().contains("session"));
}

} // namespace metamcp::httpclient
