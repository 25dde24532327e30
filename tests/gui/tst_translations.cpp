// The German translation is complete and current: lupdate run over the sources into a copy of
// translations/metamcp_de.ts must find nothing new and nothing gone, no message may be
// unfinished, every placeholder (%1, %n) of a source must be in its translation, and the
// compiled catalogue must load and translate.

#include "testsupport.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QLibraryInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>
#include <QXmlStreamReader>

namespace {

struct Message
{
    QString context;
    QString source;
    QString comment;
    QString type; // translation type: "", "unfinished", "vanished", "obsolete"
    QStringList translations;
    bool numerus = false;
    QString key() const { return context + QLatin1Char('\x1f') + source + QLatin1Char('\x1f') + comment; }
};

QList<Message> readTs(const QString &path, QString *error)
{
    QList<Message> messages;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = file.errorString();
        return messages;
    }
    QXmlStreamReader xml(&file);
    QString context;
    Message current;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        const auto name = xml.name();
        if (name == u"name") {
            context = xml.readElementText();
        } else if (name == u"message") {
            current = Message{};
            current.context = context;
            current.numerus = xml.attributes().value(QStringLiteral("numerus")) == u"yes";
        } else if (name == u"source") {
            current.source = xml.readElementText();
        } else if (name == u"comment") {
            current.comment = xml.readElementText();
        } else if (name == u"translation") {
            current.type = xml.attributes().value(QStringLiteral("type")).toString();
            if (!current.numerus) {
                current.translations = {xml.readElementText()};
                messages.append(current);
            }
        } else if (name == u"numerusform") {
            current.translations.append(xml.readElementText());
            // Appended once complete: the reader moves on to the next message afterwards.
            if (!messages.isEmpty() && messages.last().key() == current.key())
                messages.last() = current;
            else
                messages.append(current);
        }
    }
    if (xml.hasError())
        *error = xml.errorString();
    return messages;
}

QString qtTool(const QString &name)
{
    for (const QString &dir :
         {QLibraryInfo::path(QLibraryInfo::BinariesPath), QLibraryInfo::path(QLibraryInfo::LibraryExecutablesPath),
          QStringLiteral("/usr/lib/qt6/bin")}) {
        const QString candidate = QDir(dir).filePath(name);
        if (QFile::exists(candidate))
            return candidate;
    }
    const QString found = QStandardPaths::findExecutable(name + QStringLiteral("6"));
    return found.isEmpty() ? QStandardPaths::findExecutable(name) : found;
}

QSet<QString> placeholders(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("%(\\d+|n)"));
    QSet<QString> set;
    auto it = re.globalMatch(text);
    while (it.hasNext())
        set.insert(it.next().captured(0));
    return set;
}

} // namespace

class TestTranslations final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void upToDate();
    void complete();
    void placeholdersKept();
    void catalogueLoads();

private:
    QString m_ts;
    QTemporaryDir m_dir;
};

void TestTranslations::initTestCase()
{
    QVERIFY(!metamcp::test::sourceDir().isEmpty());
    m_ts = QDir(metamcp::test::sourceDir()).filePath(QStringLiteral("translations/metamcp_de.ts"));
    QVERIFY2(QFile::exists(m_ts), qPrintable(m_ts));
    QVERIFY(m_dir.isValid());
}

void TestTranslations::upToDate()
{
    const QString lupdate = qtTool(QStringLiteral("lupdate"));
    QVERIFY2(!lupdate.isEmpty(), "lupdate not found (qt6-l10n-tools)");
    const QString copy = m_dir.filePath(QStringLiteral("metamcp_de.ts"));
    QVERIFY(QFile::copy(m_ts, copy));
    QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner);
    const QDir src(metamcp::test::sourceDir());
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(lupdate, {QStringLiteral("-no-obsolete"), QStringLiteral("-locations"), QStringLiteral("none"),
                            src.filePath(QStringLiteral("ui")), src.filePath(QStringLiteral("app/console")),
                            QStringLiteral("-ts"), copy});
    QVERIFY(process.waitForFinished(120000));
    QVERIFY2(process.exitCode() == 0, process.readAll().constData());

    QString error;
    const QList<Message> before = readTs(m_ts, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const QList<Message> after = readTs(copy, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QSet<QString> known;
    for (const Message &m : before)
        known.insert(m.key());
    QSet<QString> current;
    QStringList added;
    for (const Message &m : after) {
        current.insert(m.key());
        if (!known.contains(m.key()))
            added.append(QStringLiteral("%1: \"%2\"").arg(m.context, m.source));
    }
    QStringList gone;
    for (const Message &m : before)
        if (!current.contains(m.key()))
            gone.append(QStringLiteral("%1: \"%2\"").arg(m.context, m.source));
    QVERIFY2(added.isEmpty(),
             qPrintable(QStringLiteral("strings missing from metamcp_de.ts (run the update_translations "
                                       "target and translate them):\n") +
                        added.join(QLatin1Char('\n'))));
    QVERIFY2(gone.isEmpty(), qPrintable(QStringLiteral("stale strings in metamcp_de.ts (run update_translations):\n") +
                                        gone.join(QLatin1Char('\n'))));
}

void TestTranslations::complete()
{
    QString error;
    const QList<Message> messages = readTs(m_ts, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(messages.size() > 100);
    QStringList unfinished;
    for (const Message &m : messages) {
        const bool empty =
            std::any_of(m.translations.cbegin(), m.translations.cend(), [](const QString &t) { return t.isEmpty(); }) ||
            m.translations.isEmpty();
        if (!m.type.isEmpty() || empty)
            unfinished.append(QStringLiteral("%1: \"%2\" (%3)")
                                  .arg(m.context, m.source, m.type.isEmpty() ? QStringLiteral("empty") : m.type));
        if (m.numerus && m.translations.size() != 2)
            unfinished.append(QStringLiteral("%1: \"%2\" needs 2 plural forms").arg(m.context, m.source));
    }
    QVERIFY2(unfinished.isEmpty(),
             qPrintable(QStringLiteral("unfinished German strings:\n") + unfinished.join(QLatin1Char('\n'))));
}

void TestTranslations::placeholdersKept()
{
    QString error;
    const QList<Message> messages = readTs(m_ts, &error);
    QStringList broken;
    for (const Message &m : messages) {
        const QSet<QString> expected = placeholders(m.source);
        for (const QString &t : m.translations) {
            QSet<QString> have = placeholders(t);
            // A singular form may spell the number out ("ein Server") and drop %n.
            if (m.numerus)
                have.insert(QStringLiteral("%n"));
            if (!have.contains(expected) || !expected.contains(placeholders(t)))
                broken.append(QStringLiteral("%1: \"%2\" -> \"%3\"").arg(m.context, m.source, t));
        }
    }
    QVERIFY2(broken.isEmpty(), qPrintable(QStringLiteral("placeholders differ:\n") + broken.join(QLatin1Char('\n'))));
}

void TestTranslations::catalogueLoads()
{
    const QString lrelease = qtTool(QStringLiteral("lrelease"));
    QVERIFY2(!lrelease.isEmpty(), "lrelease not found");
    const QString qm = m_dir.filePath(QStringLiteral("metamcp_de.qm"));
    QCOMPARE(QProcess::execute(lrelease, {QStringLiteral("-silent"), m_ts, QStringLiteral("-qm"), qm}), 0);
    QTranslator translator;
    QVERIFY(translator.load(qm));
    QVERIFY(QCoreApplication::installTranslator(&translator));
    QCOMPARE(QCoreApplication::translate("metamcp::ui::MainWindow", "Dashboard"), QStringLiteral("Übersicht"));
    QCOMPARE(QCoreApplication::translate("metamcp::ui::MainWindow", "%n session(s)", nullptr, 1),
             QStringLiteral("1 Sitzung"));
    QCOMPARE(QCoreApplication::translate("metamcp::ui::MainWindow", "%n session(s)", nullptr, 3),
             QStringLiteral("3 Sitzungen"));
    QCOMPARE(QCoreApplication::translate("metamcp::ui::SchemaField", "This field is required."),
             QStringLiteral("Dieses Feld ist erforderlich."));
    QCOMPARE(
        QCoreApplication::translate("metamcp::ui::ConfigImportDialog", "Applied %1: %n change(s) made.", nullptr, 2)
            .arg(QStringLiteral("a.yaml")),
        QStringLiteral("a.yaml übernommen: 2 Änderungen vorgenommen."));
    QCoreApplication::removeTranslator(&translator);
}

QTEST_GUILESS_MAIN(TestTranslations)
#include "tst_translations.moc"
