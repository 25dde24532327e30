#include "consolesettings.h"

#include <QSettings>
#include <QStandardPaths>

namespace metamcp::ui {

namespace {
const QString kKeepInTray = QStringLiteral("desktop/keepRunningInTray");
const QString kNotify = QStringLiteral("desktop/notifyUpstreamFailures");
const QString kCapacity = QStringLiteral("inspector/capacity");
const QString kFirstRun = QStringLiteral("firstRun/done");
const QString kDataDir = QStringLiteral("gateway/dataDir");
} // namespace

ConsoleSettings::ConsoleSettings(QObject *parent)
    : QObject(parent)
{}

void ConsoleSettings::set(const QString &key, const QVariant &value)
{
    QSettings settings;
    if (settings.value(key) == value)
        return;
    settings.setValue(key, value);
    Q_EMIT changed();
}

bool ConsoleSettings::keepRunningInTray() const
{
    return QSettings().value(kKeepInTray, true).toBool();
}

void ConsoleSettings::setKeepRunningInTray(bool on)
{
    set(kKeepInTray, on);
}

bool ConsoleSettings::notifyUpstreamFailures() const
{
    return QSettings().value(kNotify, true).toBool();
}

void ConsoleSettings::setNotifyUpstreamFailures(bool on)
{
    set(kNotify, on);
}

int ConsoleSettings::inspectorCapacity() const
{
    return std::clamp(QSettings().value(kCapacity, 10'000).toInt(), 100, 1'000'000);
}

void ConsoleSettings::setInspectorCapacity(int rows)
{
    set(kCapacity, std::clamp(rows, 100, 1'000'000));
}

bool ConsoleSettings::firstRunDone() const
{
    return QSettings().value(kFirstRun, false).toBool();
}

void ConsoleSettings::setFirstRunDone(bool done)
{
    set(kFirstRun, done);
}

QString ConsoleSettings::dataDir() const
{
    return QSettings().value(kDataDir).toString();
}

void ConsoleSettings::setDataDir(const QString &dir)
{
    set(kDataDir, dir);
}

QString ConsoleSettings::defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

} // namespace metamcp::ui
