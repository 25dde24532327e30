// metamcpd: the headless MetaMCP gateway (the same gateway library the console embeds).

#include "facade/localbridge.h"
#include "gateway.h"
#include "stdiobridge.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QLocalSocket>
#include <QLoggingCategory>
#include <QSaveFile>
#include <QSocketNotifier>
#include <QStandardPaths>

#include <csignal>
#include <cstdio>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#include <unistd.h>
#endif

using namespace metamcp;

namespace {

#ifdef Q_OS_UNIX
int g_signalFd[2] = {-1, -1};
void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_signalFd[0], &c, 1);
}
#endif

bool parseListen(const QString &text, ListenConfig *listen, QString *error)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0) {
        *error = QStringLiteral("--listen wants HOST:PORT, e.g. 127.0.0.1:8787");
        return false;
    }
    QString host = text.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    QHostAddress address;
    if (host == u"localhost")
        address = QHostAddress::LocalHost;
    else if (!address.setAddress(host)) {
        *error = QStringLiteral("--listen: \"%1\" is not an IP address").arg(host);
        return false;
    }
    if (!ok || port > 65535) {
        *error = QStringLiteral("--listen: \"%1\" is not a port number").arg(text.mid(colon + 1));
        return false;
    }
    listen->address = address;
    listen->port = quint16(port);
    return true;
}

// True when a gateway (console or metamcpd) serves `dataDir` now: its local bridge answers.
bool gatewayRunsFor(const QString &dataDir)
{
    QLocalSocket socket;
    socket.connectToServer(bridge::serverName(dataDir));
    const bool running = socket.waitForConnected(1000);
    socket.abort();
    return running;
}

// `metamcpd apply FILE [--dry-run]` and `metamcpd export [FILE]`: configuration as code on the
// data directory, with a gateway that neither listens nor starts upstream servers.
int runConfigCommand(QCoreApplication &app, const QString &command, const QStringList &args, bool dryRun,
                     const QString &dataDir)
{
    if (gatewayRunsFor(dataDir)) {
        std::fprintf(stderr,
                     "metamcpd: a gateway is running for %s; stop it first, or use its console (File > Import "
                     "configuration / Export configuration)\n",
                     qPrintable(dataDir));
        return 1;
    }
    QByteArray document;
    const QString file = args.value(0);
    if (command == u"apply") {
        if (file.isEmpty()) {
            std::fprintf(stderr, "metamcpd: apply wants a FILE (JSON or YAML)\n");
            return 2;
        }
        QFile in(file);
        if (!in.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "metamcpd: cannot read %s: %s\n", qPrintable(file), qPrintable(in.errorString()));
            return 2;
        }
        document = in.readAll();
    }
    GatewayOptions options;
    options.dataDir = dataDir;
    options.listen = false;
    options.localBridge = false;
    options.runUpstreams = false;
    options.captureBodies = false;
    Gateway gateway(options);
    int rc = 0;
    QObject::connect(&gateway, &Gateway::startFailed, &app, [&](const QString &reason) {
        std::fprintf(stderr, "metamcpd: %s\n", qPrintable(reason));
        app.exit(1);
    });
    QObject::connect(&gateway, &Gateway::started, &app, [&] {
        if (command == u"export") {
            const configdoc::Format format = configdoc::formatForPath(file);
            gateway.exportConfiguration(format, [&](const QByteArray &bytes) {
                if (file.isEmpty()) {
                    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
                    std::fflush(stdout);
                } else {
                    QSaveFile out(file);
                    if (!out.open(QIODevice::WriteOnly) || out.write(bytes) != bytes.size() || !out.commit()) {
                        std::fprintf(stderr, "metamcpd: cannot write %s: %s\n", qPrintable(file),
                                     qPrintable(out.errorString()));
                        rc = 1;
                    }
                }
                app.exit(rc);
            });
            return;
        }
        gateway.applyConfiguration(document, configdoc::formatForPath(file), dryRun,
                                   [&](const QString &error, const QList<ConfigChange> &changes) {
                                       if (!error.isEmpty()) {
                                           std::fprintf(stderr, "metamcpd: %s: nothing applied:\n", qPrintable(file));
                                           for (const QString &line : error.split(QLatin1Char('\n')))
                                               std::fprintf(stderr, "  %s\n", qPrintable(line));
                                           rc = 1;
                                       } else {
                                           std::printf("%s\n", qPrintable(configdoc::describe(changes)));
                                           if (dryRun && !changes.isEmpty())
                                               std::printf("(dry run: nothing changed)\n");
                                           std::fflush(stdout);
                                       }
                                       app.exit(rc);
                                   });
    });
    gateway.start();
    const int exit = app.exec();
    return rc ? rc : exit;
}

} // namespace

int main(int argc, char *argv[])
{
    // Qt's plain UNIX event dispatcher instead of GLib's: measured here with the gateway
    // benchmark, REST calls 11.1k -> 14.0k req/s and -44 us p50; nothing in the daemon needs GLib.
    // Configuration as code (apply, export, --config) reads and writes the keychain, whose
    // libsecret backend answers through the GLib main context: keep GLib's dispatcher there.
    bool keychainWork = false;
    for (int i = 1; i < argc; ++i) {
        const QByteArrayView arg(argv[i]);
        keychainWork = keychainWork || arg == "apply" || arg == "export" || arg.startsWith("--config");
    }
    if (!keychainWork && !qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("metamcpd"));
    QCoreApplication::setOrganizationName(QStringLiteral("MetaMCP"));
    QCoreApplication::setApplicationVersion(QStringLiteral(METAMCP_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("MetaMCP gateway daemon: one MCP endpoint in front of many MCP "
                                                    "servers and REST APIs."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption listenOption(QStringLiteral("listen"),
                                          QStringLiteral("Address and port to serve MCP on (default from the "
                                                         "database, else 127.0.0.1:8787)."),
                                          QStringLiteral("HOST:PORT"));
    const QCommandLineOption dataDirOption(QStringLiteral("data-dir"), QStringLiteral("Folder holding metamcp.db."),
                                           QStringLiteral("DIR"));
    const QCommandLineOption importOption(QStringLiteral("import"),
                                          QStringLiteral("Add the mcpServers of a Claude Desktop / Cursor / VS Code "
                                                         "config file to the default namespace (idempotent)."),
                                          QStringLiteral("FILE"));
    const QCommandLineOption openApiOption(QStringLiteral("import-openapi"),
                                           QStringLiteral("Add the operations of an OpenAPI 3 document (JSON) as REST "
                                                          "tools of server NAME in the default namespace."),
                                           QStringLiteral("NAME=FILE"));
    const QCommandLineOption stdioOption(QStringLiteral("stdio"),
                                         QStringLiteral("Serve one MCP client over stdin/stdout (for clients that "
                                                        "only start processes). No HTTP listener unless --listen."));
    const QCommandLineOption nsOption(QStringLiteral("namespace"),
                                      QStringLiteral("Namespace served over --stdio (default: default)."),
                                      QStringLiteral("NAME"), kDefaultNamespace);
    parser.addOption(listenOption);
    parser.addOption(dataDirOption);
    parser.addOption(importOption);
    parser.addOption(openApiOption);
    parser.addOption(stdioOption);
    const QCommandLineOption configOption(QStringLiteral("config"),
                                          QStringLiteral("Apply a configuration document (JSON or YAML, "
                                                         "docs/CONFIG-AS-CODE.md) at start; --listen wins over its "
                                                         "listen settings."),
                                          QStringLiteral("FILE"));
    const QCommandLineOption dryRunOption(QStringLiteral("dry-run"),
                                          QStringLiteral("apply: print the changes, change nothing."));
    parser.addOption(nsOption);
    parser.addOption(configOption);
    parser.addOption(dryRunOption);
    parser.addPositionalArgument(QStringLiteral("command"),
                                 QStringLiteral("Optional: \"apply FILE\" applies a configuration document to "
                                                "the data directory and prints what changed; \"export [FILE]\" "
                                                "writes the configuration (JSON, or YAML for *.yaml; stdout "
                                                "without FILE). Secrets stay in the keychain."),
                                 QStringLiteral("[apply FILE | export [FILE]]"));
    parser.process(app);

    const bool stdio = parser.isSet(stdioOption);
    GatewayOptions options;
    options.dataDir = parser.isSet(dataDirOption) ? parser.value(dataDirOption)
                                                  : QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    options.captureBodies = false;
    options.listen = !stdio || parser.isSet(listenOption);
    if (parser.isSet(listenOption)) {
        ListenConfig listen;
        QString error;
        if (!parseListen(parser.value(listenOption), &listen, &error)) {
            std::fprintf(stderr, "metamcpd: %s\n", qPrintable(error));
            return 2;
        }
        options.listenOverride = listen;
    }
    if (!QDir().mkpath(options.dataDir)) {
        std::fprintf(stderr, "metamcpd: cannot create the data directory %s\n", qPrintable(options.dataDir));
        return 1;
    }
    if (const QStringList positional = parser.positionalArguments(); !positional.isEmpty()) {
        const QString command = positional.first();
        if (command != u"apply" && command != u"export") {
            std::fprintf(stderr, "metamcpd: unknown command \"%s\" (apply FILE, export [FILE])\n", qPrintable(command));
            return 2;
        }
        QLoggingCategory::setFilterRules(QStringLiteral("metamcp.*.info=false"));
        return runConfigCommand(app, command, positional.mid(1), parser.isSet(dryRunOption), options.dataDir);
    }
    if (stdio) {
        // stdout carries the protocol: keep the logs on stderr and quiet.
        QLoggingCategory::setFilterRules(QStringLiteral("metamcp.calls.info=false"));
    }

    if (stdio && !parser.isSet(listenOption)) {
        // One gateway for every local client: relay to the one that serves this data directory.
        if (const int rc = relayToRunningGateway(options.dataDir, parser.value(nsOption)); rc >= 0)
            return rc;
        std::fprintf(stderr, "metamcpd %s: no gateway is running for %s: serving stdio with a gateway of its own\n",
                     METAMCP_VERSION, qPrintable(options.dataDir));
    }

    Gateway gateway(options);
    int exitCode = 0;
    QObject::connect(&gateway, &Gateway::startFailed, &app, [&](const QString &reason) {
        std::fprintf(stderr, "metamcpd: %s\n", qPrintable(reason));
        exitCode = 1;
        app.exit(1);
    });

    StdoutWriter writer;
    StdinReader reader;
    bool serving = false;
    QObject::connect(&gateway, &Gateway::started, &app, [&](const QHostAddress &address, quint16 port) {
        if (std::exchange(serving, true))
            return; // started again after a listen change
        if (options.listen)
            std::fprintf(stderr, "metamcpd %s: serving MCP on http://%s:%u/mcp (data: %s)\n", METAMCP_VERSION,
                         qPrintable(address.toString()), port, qPrintable(options.dataDir));
        auto serve = [&] {
            if (!stdio)
                return;
            gateway.openStdioSession(parser.value(nsOption),
                                     [&writer](const QByteArray &line) { writer.writeLine(line); });
            QObject::connect(&reader, &StdinReader::lineRead, &gateway,
                             [&gateway](const QByteArray &line) { gateway.stdioReceive(line); });
            QObject::connect(&reader, &StdinReader::endOfInput, &app, [&app] { app.exit(0); });
            reader.start();
        };
        // The configuration document, then imports, one after the other; then the stdio session opens.
        auto steps = std::make_shared<QList<std::function<void(std::function<void()>)>>>();
        if (parser.isSet(configOption)) {
            steps->append([&](std::function<void()> next) {
                const QString file = parser.value(configOption);
                QFile in(file);
                if (!in.open(QIODevice::ReadOnly)) {
                    std::fprintf(stderr, "metamcpd: cannot read %s: %s\n", qPrintable(file),
                                 qPrintable(in.errorString()));
                    exitCode = 2;
                    app.exit(2);
                    return;
                }
                gateway.applyConfiguration(
                    in.readAll(), configdoc::formatForPath(file), false,
                    [&, next, file](const QString &error, const QList<ConfigChange> &changes) {
                        if (!error.isEmpty()) {
                            std::fprintf(stderr, "metamcpd: %s: nothing applied:\n", qPrintable(file));
                            for (const QString &line : error.split(QLatin1Char('\n')))
                                std::fprintf(stderr, "  %s\n", qPrintable(line));
                            exitCode = 1;
                            app.exit(1);
                            return;
                        }
                        std::fprintf(
                            stderr, "metamcpd: %s: %s\n", qPrintable(file),
                            qPrintable(configdoc::describe(changes).replace(QLatin1Char('\n'), QStringLiteral("; "))));
                        next();
                    });
            });
        }
        if (parser.isSet(importOption)) {
            steps->append([&](std::function<void()> next) {
                gateway.importMcpServersFile(parser.value(importOption), kDefaultNamespace,
                                             [&, next](const QString &error, const QStringList &added) {
                                                 if (!error.isEmpty()) {
                                                     std::fprintf(stderr, "metamcpd: import failed: %s\n",
                                                                  qPrintable(error));
                                                     exitCode = 1;
                                                     app.exit(1);
                                                     return;
                                                 }
                                                 std::fprintf(stderr, "metamcpd: imported %lld server(s): %s\n",
                                                              static_cast<long long>(added.size()),
                                                              qPrintable(added.join(QStringLiteral(", "))));
                                                 next();
                                             });
            });
        }
        for (const QString &spec : parser.values(openApiOption)) {
            steps->append([&, spec](std::function<void()> next) {
                const qsizetype eq = spec.indexOf(QLatin1Char('='));
                if (eq <= 0) {
                    std::fprintf(stderr, "metamcpd: --import-openapi wants NAME=FILE\n");
                    exitCode = 2;
                    app.exit(2);
                    return;
                }
                gateway.importOpenApiFile(
                    spec.mid(eq + 1), spec.left(eq), kDefaultNamespace, {},
                    [&, next, name = spec.left(eq)](const QString &error, const QStringList &tools) {
                        if (!error.isEmpty()) {
                            std::fprintf(stderr, "metamcpd: OpenAPI import failed: %s\n", qPrintable(error));
                            exitCode = 1;
                            app.exit(1);
                            return;
                        }
                        std::fprintf(stderr, "metamcpd: %s: %lld REST tool(s): %s\n", qPrintable(name),
                                     static_cast<long long>(tools.size()),
                                     qPrintable(tools.join(QStringLiteral(", "))));
                        next();
                    });
            });
        }
        auto run = std::make_shared<std::function<void()>>();
        *run = [steps, run, serve] {
            if (steps->isEmpty()) {
                serve();
                return;
            }
            auto step = steps->takeFirst();
            step([run] { (*run)(); });
        };
        (*run)();
    });

#ifdef Q_OS_UNIX
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFd) == 0) {
        auto *notifier = new QSocketNotifier(g_signalFd[1], QSocketNotifier::Read, &app);
        QObject::connect(notifier, &QSocketNotifier::activated, &app, [&app] {
            char c;
            [[maybe_unused]] const auto n = ::read(g_signalFd[1], &c, 1);
            app.quit();
        });
        std::signal(SIGTERM, onSignal);
        std::signal(SIGINT, onSignal);
    }
    std::signal(SIGPIPE, SIG_IGN);
#endif

    gateway.start();
    const int rc = app.exec();
    if (reader.isRunning()) {
        // fgets blocks; the process is exiting anyway.
        reader.terminate();
        reader.wait(100);
    }
    return exitCode ? exitCode : rc;
}
