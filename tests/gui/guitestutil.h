#pragma once

// Helpers for the console's GUI tests (header-only; each tst_*.cpp is its own executable).
// Isolation: QStandardPaths test mode plus QSettings and the HOME-based client config paths in
// a temporary folder, so no test touches the user's real files.

#include "gateway.h"

#include <QAbstractItemView>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace metamcp::test {

// Call first in initTestCase(): settings and application data go to `dir`.
inline void isolateSettings(const QTemporaryDir &dir)
{
    // defaultClientConfigPath() derives from the home folder: point it at the temp folder.
    qputenv("HOME", QFile::encodeName(dir.filePath(QStringLiteral("home"))));
    QDir().mkpath(dir.filePath(QStringLiteral("home")));
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("MetaMCP-Test"));
    QCoreApplication::setApplicationName(QStringLiteral("MetaMCP Console Test"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir.filePath(QStringLiteral("settings")));
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir.filePath(QStringLiteral("settings")));
    QSettings().clear();
}

// A gateway listening on a free loopback port, started: its store in memory, or in `dataDir`.
inline std::unique_ptr<Gateway> startGateway(bool captureBodies = true, const QString &dataDir = {})
{
    GatewayOptions options;
    options.dataDir = dataDir; // empty: in-memory store
    ListenConfig listen;
    listen.address = QHostAddress::LocalHost;
    listen.port = 0;
    options.listenOverride = listen;
    options.captureBodies = captureBodies;
    auto gateway = std::make_unique<Gateway>(options);
    QSignalSpy started(gateway.get(), &Gateway::started);
    gateway->start();
    if (!started.wait(20000))
        return nullptr;
    return gateway;
}

// Selects (clicks) `row` of a view.
inline void clickRow(QAbstractItemView *view, int row, int column = 0)
{
    const QModelIndex index = view->model()->index(row, column);
    view->scrollTo(index);
    const QRect rect = view->visualRect(index);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, rect.center());
}

// First row of a view's model whose `column` displays `text`, or -1.
inline int findRow(const QAbstractItemModel *model, int column, const QString &text)
{
    for (int row = 0; row < model->rowCount(); ++row)
        if (model->index(row, column).data().toString() == text)
            return row;
    return -1;
}

} // namespace metamcp::test
