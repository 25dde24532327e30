#include "core/inputbroker.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>

namespace metamcp {

namespace {

QString randomHex128()
{
    QRandomGenerator *random = QRandomGenerator::system();
    return QString::fromLatin1(QByteArray::number(random->generate64(), 16).rightJustified(16, '0') +
                               QByteArray::number(random->generate64(), 16).rightJustified(16, '0'));
}

// Constant time in the length of `expected`.
bool sameToken(const QString &expected, const QString &given)
{
    if (expected.size() != given.size())
        return false;
    ushort diff = 0;
    for (qsizetype i = 0; i < expected.size(); ++i)
        diff |= expected.at(i).unicode() ^ given.at(i).unicode();
    return diff == 0;
}

} // namespace

InputBroker::InputBroker(Clock *clock)
    : m_clock(clock ? clock : &Clock::steady())
{
    m_key.resize(32);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(m_key.data()), 8);
}

InputBroker::~InputBroker()
{
    for (const Flow &flow : std::as_const(m_flows))
        m_clock->cancel(flow.expiry);
}

void InputBroker::setClock(Clock *clock)
{
    Q_ASSERT(m_flows.isEmpty());
    m_clock = clock ? clock : &Clock::steady();
}

QString InputBroker::open(const QString &ns, QChar kind, std::function<void(const QString &id)> expired)
{
    if (isFull())
        return {};
    const QString id = kind + randomHex128();
    Flow &flow = m_flows[id];
    flow.ns = ns;
    flow.expired = std::move(expired);
    arm(id, flow);
    return id;
}

QString InputBroker::namespaceOf(const QString &id) const
{
    const auto it = m_flows.constFind(id);
    return it == m_flows.cend() ? QString() : it->ns;
}

void InputBroker::arm(const QString &id, Flow &flow)
{
    m_clock->cancel(flow.expiry);
    flow.expiry = m_clock->scheduleIn(m_timeoutMs, [this, id] {
        const auto it = m_flows.find(id);
        if (it == m_flows.end())
            return;
        const std::function<void(const QString &)> expired = std::move(it->expired);
        m_flows.erase(it);
        if (expired)
            expired(id);
    });
}

void InputBroker::touch(const QString &id)
{
    if (auto it = m_flows.find(id); it != m_flows.end())
        arm(id, *it);
}

void InputBroker::close(const QString &id)
{
    if (auto it = m_flows.find(id); it != m_flows.end()) {
        m_clock->cancel(it->expiry);
        m_flows.erase(it);
    }
}

QString InputBroker::nextRound(const QString &id)
{
    auto it = m_flows.find(id);
    if (it == m_flows.end())
        return {};
    ++it->round;
    arm(id, *it);
    return tokenFor(id, *it);
}

QString InputBroker::tokenFor(const QString &id, const Flow &flow) const
{
    const QString payload = id + QLatin1Char('.') + QString::number(flow.round);
    const QByteArray mac = QMessageAuthenticationCode::hash(payload.toLatin1() + '|' + flow.ns.toUtf8(), m_key,
                                                            QCryptographicHash::Sha256);
    return payload + QLatin1Char('.') +
           QString::fromLatin1(mac.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QString InputBroker::resolve(const QString &token, const QString &ns) const
{
    const qsizetype dot = token.indexOf(QLatin1Char('.'));
    if (dot <= 0)
        return {};
    const QString id = token.left(dot);
    const auto it = m_flows.constFind(id);
    if (it == m_flows.cend() || it->ns != ns || it->round == 0)
        return {};
    return sameToken(tokenFor(id, *it), token) ? id : QString();
}

} // namespace metamcp
