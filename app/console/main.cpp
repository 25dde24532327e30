// metamcp: the MetaMCP Console, a desktop admin console around the embedded gateway.

#include "gateway.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QStandardPaths>

#include <cstdio>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("MetaMCP Console"));
    QApplication::setOrganizationName(QStringLiteral("MetaMCP"));
    QApplication::setApplicationVersion(QStringLiteral(METAMCP_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("MetaMCP Console"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataDirOption(QStringLiteral("data-dir"), QStringLiteral("Folder holding metamcp.db."),
                                           QStringLiteral("DIR"));
    const QCommandLineOption importOption(QStringLiteral("import"),
                                          QStringLiteral("Add the mcpServers of a client config file to the default "
                                                         "namespace (idempotent)."),
                                          QStringLiteral("FILE"));
    parser.addOption(dataDirOption);
    parser.addOption(importOption);
    parser.process(app);

    metamcp::GatewayOptions options;
    options.dataDir = parser.isSet(dataDirOption) ? parser.value(dataDirOption)
                                                  : QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(options.dataDir);
    metamcp::Gateway gateway(options);
    metamcp::ui::MainWindow window(&gateway);
    window.show();
    if (parser.isSet(importOption)) {
        QObject::connect(&gateway, &metamcp::Gateway::started, &gateway, [&gateway, file = parser.value(importOption)] {
            gateway.importMcpServersFile(file, metamcp::kDefaultNamespace, [](const QString &error, const QStringList &) {
                if (!error.isEmpty())
                    std::fprintf(stderr, "metamcp: import failed: %s\n", qPrintable(error));
            });
        }, Qt::SingleShotConnection);
    }
    gateway.start();
    return app.exec();
}
