// metamcpd apply / export (configuration as code, docs/CONFIG-AS-CODE.md) on real data
// directories and the real keychain (gnome-keyring under dbus-run-session): apply prints the
// diff and is idempotent, --dry-run changes nothing, export -> apply on an empty data directory
// -> export gives the same bytes (JSON and YAML), a bad document applies nothing, and secrets
// (given as env: references) reach neither the database nor the exports.

#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace metamcp::test;
using namespace Qt::StringLiterals;

class TestConfigAsCode final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    const QString m_token = u"tok-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces);

    struct Run
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };

    Run metamcpd(const QStringList &args)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"CAC_TEST_TOKEN"_s, m_token);
        p.setProcessEnvironment(env);
        p.start(builtProgram(u"metamcpd"_s), args);
        if (!p.waitForFinished(60000)) {
            p.kill();
            p.waitForFinished();
        }
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
                p.readAllStandardError()};
    }
    QString path(const QString &name) const { return m_dir.filePath(name); }
    QByteArray contents(const QString &file) const
    {
        QFile f(file);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(writeFile(path(u"team.yaml"_s), R"(version: 1
servers:
  files:
    type: stdio
    command: npx
    args: ["-y", "server-filesystem", "/srv"]
    env:
      LOG_LEVEL: debug
      FILES_TOKEN: {secret: "env:CAC_TEST_TOKEN"}
  github:
    type: http
    url: https://api.example.com/mcp
    headers:
      Authorization: {secret: "env:CAC_TEST_TOKEN"}
      X-Team: platform
  legacy:
    type: sse
    url: http://127.0.0.1:3001/sse
  pets:
    type: rest
    url: https://pets.example.com/v1
    tools:
      - {name: getPet, url: "/pet/{id}", inputSchema: {type: object, properties: {id: {type: integer}}}}
namespaces:
  default:
    servers: [files, github]
  team:
    servers: [github, pets]
    separator: "."
    overrides:
      - {server: github, tool: search, rename: find}
)"));
    }

    void applyShowsTheDiffAndIsIdempotent()
    {
        const QStringList a = {u"--data-dir"_s, path(u"a"_s)};
        Run dry = metamcpd(QStringList{u"apply"_s, path(u"team.yaml"_s), u"--dry-run"_s} + a);
        QCOMPARE(dry.exitCode, 0);
        QVERIFY2(dry.out.contains("+ server github\n") && dry.out.contains("+ namespace team\n") &&
                     dry.out.contains("(dry run: nothing changed)"),
                 dry.out.constData());
        Run exported = metamcpd(QStringList{u"export"_s} + a);
        QVERIFY2(!exported.out.contains("github"), "a dry run changes nothing");

        Run first = metamcpd(QStringList{u"apply"_s, path(u"team.yaml"_s)} + a);
        QCOMPARE(first.exitCode, 0);
        QCOMPARE(first.out, dry.out.replace("(dry run: nothing changed)\n", ""));
        Run second = metamcpd(QStringList{u"apply"_s, path(u"team.yaml"_s)} + a);
        QCOMPARE(second.exitCode, 0);
        QCOMPARE(second.out, QByteArray("no changes\n"));

        // A changed field is named.
        QByteArray doc = contents(path(u"team.yaml"_s));
        doc.replace("X-Team: platform", "X-Team: infra");
        QVERIFY(writeFile(path(u"team2.yaml"_s), doc));
        Run changed = metamcpd(QStringList{u"apply"_s, path(u"team2.yaml"_s)} + a);
        QCOMPARE(changed.out, QByteArray("~ server github: headers.X-Team\n"));
        QCOMPARE(metamcpd(QStringList{u"apply"_s, path(u"team.yaml"_s)} + a).out,
                 QByteArray("~ server github: headers.X-Team\n"));
    }

    void exportApplyExportIsByteIdentical_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("json") << u"export.json"_s;
        QTest::newRow("yaml") << u"export.yaml"_s;
    }

    void exportApplyExportIsByteIdentical()
    {
        QFETCH(QString, file);
        const QString fresh = path(u"fresh-"_s + file);
        QCOMPARE(metamcpd({u"export"_s, path(file), u"--data-dir"_s, path(u"a"_s)}).exitCode, 0);
        const QByteArray exported = contents(path(file));
        QVERIFY(exported.contains("keychain:github/header:Authorization"));
        const Run applied = metamcpd({u"apply"_s, path(file), u"--data-dir"_s, fresh});
        QVERIFY2(applied.exitCode == 0, applied.err.constData());
        const Run again = metamcpd({u"export"_s, u"--data-dir"_s, fresh});
        if (file.endsWith(u".json"_s))
            QCOMPARE(again.out, exported);
        QCOMPARE(metamcpd({u"export"_s, path(u"again-"_s + file), u"--data-dir"_s, fresh}).exitCode, 0);
        QCOMPARE(contents(path(u"again-"_s + file)), exported);
        QCOMPARE(metamcpd({u"apply"_s, path(file), u"--data-dir"_s, fresh}).out, QByteArray("no changes\n"));
    }

    void secretsStayInTheKeychain()
    {
        for (const QString &dir : {path(u"a"_s), path(u"fresh-export.json"_s)})
            for (const QString &name : QDir(dir).entryList(QDir::Files))
                QVERIFY2(!contents(QDir(dir).filePath(name)).contains(m_token.toUtf8()), qPrintable(name));
        for (const QString &name : QDir(m_dir.path()).entryList(QDir::Files))
            QVERIFY2(!contents(path(name)).contains(m_token.toUtf8()), qPrintable(name));
    }

    void badDocumentAppliesNothing()
    {
        QByteArray doc = contents(path(u"team.yaml"_s));
        doc.replace("servers: [github, pets]", "servers: [github, ghost]");
        doc.replace("X-Team: platform", "X-Team: changed");
        QVERIFY(writeFile(path(u"bad.yaml"_s), doc));
        const Run bad = metamcpd({u"apply"_s, path(u"bad.yaml"_s), u"--data-dir"_s, path(u"a"_s)});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("nothing applied") &&
                     bad.err.contains("namespaces.team.servers: there is no server named ghost"),
                 bad.err.constData());
        QCOMPARE(metamcpd({u"apply"_s, path(u"team.yaml"_s), u"--data-dir"_s, path(u"a"_s)}).out,
                 QByteArray("no changes\n"));

        const Run missing = metamcpd({u"apply"_s, path(u"team.yaml"_s), u"--data-dir"_s, path(u"b"_s)});
        QVERIFY(missing.exitCode == 0); // the variable is set: control for the next case
        QVERIFY(writeFile(path(u"unset.json"_s),
                          "{\"version\":1,\"servers\":{\"x\":{\"type\":\"stdio\",\"command\":\"c\","
                          "\"env\":{\"API_KEY\":{\"secret\":\"env:CAC_TEST_UNSET_VARIABLE\"}}}}}"));
        const Run unset = metamcpd({u"apply"_s, path(u"unset.json"_s), u"--data-dir"_s, path(u"b"_s)});
        QCOMPARE(unset.exitCode, 1);
        QVERIFY2(
            unset.err.contains("servers.x.env.API_KEY: the environment variable CAC_TEST_UNSET_VARIABLE is not set"),
            unset.err.constData());
        QCOMPARE(metamcpd({u"apply"_s, path(u"team.yaml"_s), u"--data-dir"_s, path(u"b"_s)}).out,
                 QByteArray("no changes\n"));
    }
};

QTEST_GUILESS_MAIN(TestConfigAsCode)
#include "tst_configascode.moc"
