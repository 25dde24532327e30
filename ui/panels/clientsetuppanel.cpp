#include "panels/clientsetuppanel.h"

#include "common/textdiff.h"
#include "common/uiutil.h"
#include "gateway.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSyntaxHighlighter>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace metamcp::ui {

namespace {
class DiffHighlighter final : public QSyntaxHighlighter
{
public:
    using QSyntaxHighlighter::QSyntaxHighlighter;

protected:
    void highlightBlock(const QString &text) override
    {
        const QPalette palette = QGuiApplication::palette();
        QTextCharFormat format;
        if (text.startsWith(QLatin1String("+++")) || text.startsWith(QLatin1String("---")))
            format.setFontWeight(QFont::Bold);
        else if (text.startsWith(QLatin1Char('+')))
            format.setForeground(okColor(palette));
        else if (text.startsWith(QLatin1Char('-')))
            format.setForeground(errorColor(palette));
        else if (text.startsWith(QLatin1String("@@")))
            format.setForeground(palette.color(QPalette::Link));
        else
            return;
        setFormat(0, int(text.size()), format);
    }
};

QToolButton *copyButtonFor(QLineEdit *edit, const QString &objectName, QWidget *parent)
{
    auto *button = new QToolButton(parent);
    button->setObjectName(objectName);
    button->setText(ClientSetupPanel::tr("Copy"));
    button->setAccessibleName(ClientSetupPanel::tr("Copy %1").arg(edit->accessibleName()));
    QObject::connect(button, &QToolButton::clicked, edit, [edit] { copyToClipboard(edit->text()); });
    return button;
}
} // namespace

QString metamcpdProgram()
{
#if defined(Q_OS_WIN)
    const QString name = QStringLiteral("metamcpd.exe");
#else
    const QString name = QStringLiteral("metamcpd");
#endif
    const QString beside = QDir(QCoreApplication::applicationDirPath()).filePath(name);
    return QFileInfo::exists(beside) ? beside : QStringLiteral("metamcpd");
}

ClientSetupPanel::ClientSetupPanel(Gateway *gateway, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_client(new QComboBox(this))
    , m_path(new QLineEdit(this))
    , m_connection(new QComboBox(this))
    , m_namespace(new QComboBox(this))
    , m_entryName(new QLineEdit(QStringLiteral("metamcp"), this))
    , m_diff(new QPlainTextEdit(this))
    , m_status(new QLabel(this))
    , m_write(new QPushButton(tr("&Write config file"), this))
    , m_httpUrl(new QLineEdit(this))
    , m_sseUrl(new QLineEdit(this))
    , m_stdioCommand(new QLineEdit(this))
    , m_previewTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("clientSetupPanel"));
    for (ClientKind kind : {ClientKind::ClaudeDesktop, ClientKind::Cursor, ClientKind::VsCode}) {
        m_paths.insert(kind, defaultClientConfigPath(kind));
        m_client->addItem(clientDisplayName(kind), int(kind));
    }
    m_client->setObjectName(QStringLiteral("clientKindComboBox"));
    m_path->setObjectName(QStringLiteral("clientConfigPathLineEdit"));
    m_connection->setObjectName(QStringLiteral("clientConnectionComboBox"));
    m_connection->addItem(tr("By URL (Streamable HTTP)"), int(Connection::Url));
    m_connection->addItem(tr("By starting metamcpd --stdio"), int(Connection::Stdio));
    m_namespace->setObjectName(QStringLiteral("clientNamespaceComboBox"));
    m_entryName->setObjectName(QStringLiteral("clientEntryNameLineEdit"));
    m_diff->setObjectName(QStringLiteral("clientDiffPlainTextEdit"));
    m_diff->setAccessibleName(tr("Changes to the config file"));
    m_diff->setReadOnly(true);
    m_diff->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_diff->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    new DiffHighlighter(m_diff->document());
    m_status->setObjectName(QStringLiteral("clientSetupStatusLabel"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_write->setObjectName(QStringLiteral("writeClientConfigPushButton"));
    m_write->setEnabled(false);

    auto *browse = new QToolButton(this);
    browse->setObjectName(QStringLiteral("browseClientConfigToolButton"));
    browse->setText(tr("…"));
    browse->setAccessibleName(tr("Choose the config file"));
    auto *pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browse);

    auto *clientGroup = new QGroupBox(tr("Configure a client"), this);
    auto *form = new QFormLayout(clientGroup);
    form->addRow(tr("&Client:"), m_client);
    form->addRow(tr("Config &file:"), pathRow);
    static_cast<QLabel *>(form->labelForField(pathRow))->setBuddy(m_path);
    form->addRow(tr("C&onnect:"), m_connection);
    form->addRow(tr("&Namespace:"), m_namespace);
    form->addRow(tr("&Entry name:"), m_entryName);
    auto *diffLabel = new QLabel(tr("Changes that will be written:"), this);
    diffLabel->setBuddy(m_diff);
    form->addRow(diffLabel);
    form->addRow(m_diff);
    auto *writeRow = new QHBoxLayout;
    writeRow->addWidget(m_write);
    writeRow->addWidget(m_status, 1);
    form->addRow(writeRow);

    m_httpUrl->setObjectName(QStringLiteral("otherHttpUrlLineEdit"));
    m_httpUrl->setReadOnly(true);
    m_httpUrl->setAccessibleName(tr("Streamable HTTP URL"));
    m_sseUrl->setObjectName(QStringLiteral("otherSseUrlLineEdit"));
    m_sseUrl->setReadOnly(true);
    m_sseUrl->setAccessibleName(tr("SSE URL"));
    m_stdioCommand->setObjectName(QStringLiteral("otherStdioCommandLineEdit"));
    m_stdioCommand->setReadOnly(true);
    m_stdioCommand->setAccessibleName(tr("stdio command"));
    auto *otherGroup = new QGroupBox(tr("Any other client"), this);
    auto *otherForm = new QFormLayout(otherGroup);
    auto row = [this](QLineEdit *edit, const QString &copyName) {
        auto *l = new QHBoxLayout;
        l->addWidget(edit, 1);
        l->addWidget(copyButtonFor(edit, copyName, this));
        return l;
    };
    otherForm->addRow(tr("Streamable HTTP URL:"), row(m_httpUrl, QStringLiteral("copyHttpUrlToolButton")));
    otherForm->addRow(tr("SSE URL (older clients):"), row(m_sseUrl, QStringLiteral("copySseUrlToolButton")));
    otherForm->addRow(tr("Command (stdio clients):"),
                      row(m_stdioCommand, QStringLiteral("copyStdioCommandToolButton")));

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(clientGroup, 1);
    layout->addWidget(otherGroup);

    m_previewTimer->setSingleShot(true);
    m_previewTimer->setInterval(150);
    connect(m_previewTimer, &QTimer::timeout, this, [this] { preview(); });
    connect(m_client, &QComboBox::currentIndexChanged, this, [this] {
        const auto kind = currentClient();
        m_path->setText(m_paths.value(kind));
        // Claude Desktop's config file only starts processes.
        setConnection(kind == ClientKind::ClaudeDesktop ? Connection::Stdio : Connection::Url);
        schedulePreview();
    });
    connect(m_path, &QLineEdit::textEdited, this, [this](const QString &text) {
        m_paths.insert(currentClient(), text);
        schedulePreview();
    });
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString f = QFileDialog::getSaveFileName(this, tr("Client config file"), m_path->text(),
                                                       tr("JSON files (*.json);;All files (*)"), nullptr,
                                                       QFileDialog::DontConfirmOverwrite);
        if (!f.isEmpty()) {
            setConfigPath(currentClient(), f);
        }
    });
    connect(m_connection, &QComboBox::currentIndexChanged, this, &ClientSetupPanel::schedulePreview);
    connect(m_namespace, &QComboBox::currentIndexChanged, this, [this] {
        updateOther();
        schedulePreview();
    });
    connect(m_entryName, &QLineEdit::textChanged, this, &ClientSetupPanel::schedulePreview);
    connect(m_write, &QPushButton::clicked, this, [this] { write(); });
    auto refresh = [this] {
        const QString current = m_namespace->currentText();
        const QSignalBlocker blocker(m_namespace);
        m_namespace->clear();
        const GatewayConfig config = m_gateway->config();
        for (const NamespaceConfig &ns : config.namespaces)
            m_namespace->addItem(ns.name);
        if (m_namespace->count() == 0)
            m_namespace->addItem(kDefaultNamespace);
        m_namespace->setCurrentIndex(std::max(0, m_namespace->findText(current)));
        updateOther();
        schedulePreview();
    };
    connect(m_gateway, &Gateway::configChanged, this, refresh);
    connect(m_gateway, &Gateway::started, this, refresh);
    refresh();
    m_path->setText(m_paths.value(currentClient()));
    setConnection(currentClient() == ClientKind::ClaudeDesktop ? Connection::Stdio : Connection::Url);
}

void ClientSetupPanel::setConfigPath(ClientKind kind, const QString &path)
{
    m_paths.insert(kind, path);
    if (kind == currentClient())
        m_path->setText(path);
    schedulePreview();
}

QString ClientSetupPanel::configPath(ClientKind kind) const
{
    return m_paths.value(kind);
}

void ClientSetupPanel::selectClient(ClientKind kind)
{
    m_client->setCurrentIndex(m_client->findData(int(kind)));
}

ClientKind ClientSetupPanel::currentClient() const
{
    return ClientKind(m_client->currentData().toInt());
}

void ClientSetupPanel::setConnection(Connection connection)
{
    m_connection->setCurrentIndex(m_connection->findData(int(connection)));
}

void ClientSetupPanel::setDataDir(const QString &dir)
{
    m_dataDir = dir;
    updateOther();
    schedulePreview();
}

static QStringList stdioArgs(const QString &ns, const QString &dataDir)
{
    QStringList args{QStringLiteral("--stdio")};
    if (ns != kDefaultNamespace)
        args << QStringLiteral("--namespace") << ns;
    if (!dataDir.isEmpty())
        args << QStringLiteral("--data-dir") << QDir::toNativeSeparators(dataDir);
    return args;
}

QJsonObject ClientSetupPanel::gatewayEntry() const
{
    const QString ns = m_namespace->currentText().isEmpty() ? kDefaultNamespace : m_namespace->currentText();
    if (Connection(m_connection->currentData().toInt()) == Connection::Url)
        return QJsonObject{{QStringLiteral("url"), m_gateway->endpointUrl(ns)}};
    return QJsonObject{{QStringLiteral("command"), metamcpdProgram()},
                       {QStringLiteral("args"), QJsonArray::fromStringList(stdioArgs(ns, m_dataDir))}};
}

void ClientSetupPanel::updateOther()
{
    const QString ns = m_namespace->currentText().isEmpty() ? kDefaultNamespace : m_namespace->currentText();
    if (m_gateway->isRunning()) {
        m_httpUrl->setText(m_gateway->endpointUrl(ns));
        m_sseUrl->setText(m_gateway->endpointUrl(ns, true));
    } else {
        m_httpUrl->setText(tr("(the gateway is not running)"));
        m_sseUrl->clear();
    }
    m_stdioCommand->setText(joinCommandLine(metamcpdProgram(), stdioArgs(ns, m_dataDir)));
}

void ClientSetupPanel::schedulePreview()
{
    m_write->setEnabled(false);
    m_previewTimer->start();
}

QString ClientSetupPanel::preview(QString *errorOut)
{
    m_previewTimer->stop();
    m_write->setEnabled(false);
    m_previewNew.clear();
    const QString path = m_paths.value(currentClient());
    auto fail = [&](const QString &error) {
        m_status->setText(error);
        m_diff->clear();
        if (errorOut)
            *errorOut = error;
        return QString();
    };
    if (path.isEmpty())
        return fail(tr("Choose the client's config file."));
    const QString entryName = m_entryName->text().trimmed();
    if (entryName.isEmpty())
        return fail(tr("Enter a name for the entry, e.g. metamcp."));
    if (Connection(m_connection->currentData().toInt()) == Connection::Url && !m_gateway->isRunning())
        return fail(tr("The gateway is not running, so it has no URL yet."));

    QByteArray old;
    QJsonObject existing;
    QFile file(path);
    m_previewExisted = file.exists();
    if (m_previewExisted) {
        if (!file.open(QIODevice::ReadOnly))
            return fail(tr("Cannot read %1: %2").arg(path, file.errorString()));
        old = file.readAll();
        if (!old.trimmed().isEmpty()) {
            QJsonParseError parseError;
            const QJsonDocument doc = QJsonDocument::fromJson(old, &parseError);
            if (parseError.error != QJsonParseError::NoError || !doc.isObject())
                return fail(tr("%1 is not plain JSON (%2), so the console will not touch it. Add this entry by "
                               "hand: %3")
                                .arg(path, parseError.errorString(), compactJson(gatewayEntry())));
            existing = doc.object();
        }
    }
    const QJsonObject merged = mergeGatewayEntry(existing, currentClient(), entryName, gatewayEntry());
    const QByteArray updated = QJsonDocument(merged).toJson(QJsonDocument::Indented);
    m_previewPath = path;
    m_previewOld = old;
    m_previewNew = updated;
    const QString diff = unifiedDiff(QString::fromUtf8(old), QString::fromUtf8(updated),
                                     m_previewExisted ? path : QStringLiteral("/dev/null"), path);
    m_diff->setPlainText(diff);
    if (diff.isEmpty()) {
        m_status->setText(tr("%1 already points at the gateway.").arg(clientDisplayName(currentClient())));
        m_previewNew.clear();
    } else {
        m_status->setText(m_previewExisted
                              ? tr("Review the changes, then write the file. The old file is kept as a backup.")
                              : tr("The file does not exist yet; it will be created."));
        m_write->setEnabled(true);
    }
    if (errorOut)
        errorOut->clear();
    return diff;
}

QString ClientSetupPanel::write()
{
    if (m_previewNew.isEmpty())
        return tr("Nothing to write.");
    // Refuse if the file changed since the user saw the diff.
    QFile current(m_previewPath);
    const bool exists = current.exists();
    QByteArray now;
    if (exists && current.open(QIODevice::ReadOnly))
        now = current.readAll();
    current.close();
    if (exists != m_previewExisted || now != m_previewOld) {
        preview();
        const QString error = tr("The file changed since the preview; review the new changes.");
        m_status->setText(error);
        return error;
    }
    m_lastBackup.clear();
    if (exists) {
        const QString backup = m_previewPath + QStringLiteral(".bak-") +
                               QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
        QFile::remove(backup);
        if (!QFile::copy(m_previewPath, backup)) {
            const QString error = tr("Cannot make the backup %1; nothing was written.").arg(backup);
            m_status->setText(error);
            return error;
        }
        m_lastBackup = backup;
    }
    QDir().mkpath(QFileInfo(m_previewPath).absolutePath());
    QSaveFile out(m_previewPath);
    if (!out.open(QIODevice::WriteOnly) || out.write(m_previewNew) != m_previewNew.size() || !out.commit()) {
        const QString error = tr("Cannot write %1: %2").arg(m_previewPath, out.errorString());
        m_status->setText(error);
        return error;
    }
    m_status->setText(m_lastBackup.isEmpty()
                          ? tr("Wrote %1. Restart %2 to connect it to the gateway.")
                                .arg(m_previewPath, clientDisplayName(currentClient()))
                          : tr("Wrote %1 (backup: %2). Restart %3 to connect it to the gateway.")
                                .arg(m_previewPath, m_lastBackup, clientDisplayName(currentClient())));
    const QString status = m_status->text();
    preview(); // now "already points at the gateway"
    m_status->setText(status);
    return {};
}

} // namespace metamcp::ui
