#include "configtransfer.h"

#include "configimportdialog.h"
#include "gateway.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QSaveFile>

namespace metamcp::ui {

namespace {

configdoc::Format formatFor(const QString &path, std::optional<configdoc::Format> fallback)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == u"yaml" || suffix == u"yml")
        return configdoc::Format::Yaml;
    if (suffix == u"json")
        return configdoc::Format::Json;
    return fallback.value_or(configdoc::Format::Json);
}

} // namespace

ConfigTransfer::ConfigTransfer(Gateway *gateway, QWidget *window)
    : QObject(window)
    , m_gateway(gateway)
    , m_window(window)
{}

QString ConfigTransfer::startDirectory() const
{
    return m_lastDirectory.isEmpty() ? QDir::homePath() : m_lastDirectory;
}

QFileDialog *ConfigTransfer::chooseExportFile()
{
    const QString yaml = tr("YAML (*.yaml *.yml)");
    const QString json = tr("JSON (*.json)");
    auto *dialog = new QFileDialog(m_window, tr("Export configuration"),
                                   QDir(startDirectory()).filePath(QStringLiteral("metamcp-config.yaml")),
                                   yaml + QStringLiteral(";;") + json);
    dialog->setObjectName(QStringLiteral("configExportFileDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setFileMode(QFileDialog::AnyFile);
    dialog->setDefaultSuffix(QStringLiteral("yaml"));
    // A name without a suffix gets the chosen filter's.
    connect(dialog, &QFileDialog::filterSelected, dialog, [dialog, json](const QString &filter) {
        dialog->setDefaultSuffix(filter == json ? QStringLiteral("json") : QStringLiteral("yaml"));
    });
    connect(dialog, &QFileDialog::fileSelected, this, [this, dialog, json](const QString &path) {
        exportTo(path, dialog->selectedNameFilter() == json ? configdoc::Format::Json : configdoc::Format::Yaml);
    });
    dialog->open();
    return dialog;
}

void ConfigTransfer::exportTo(const QString &path, std::optional<configdoc::Format> format)
{
    m_lastDirectory = QFileInfo(path).absolutePath();
    m_gateway->exportConfiguration(formatFor(path, format), [self = QPointer(this), path](const QByteArray &document) {
        if (!self)
            return;
        QSaveFile file(path);
        QString error;
        if (!file.open(QIODevice::WriteOnly) || file.write(document) != document.size() || !file.commit())
            error = file.errorString();
        if (error.isEmpty()) {
            Q_EMIT self->message(tr("Exported the configuration to %1.").arg(QDir::toNativeSeparators(path)));
        } else if (self->m_window) {
            auto *box = new QMessageBox(QMessageBox::Warning, tr("Export configuration"),
                                        tr("Cannot write %1: %2").arg(QDir::toNativeSeparators(path), error),
                                        QMessageBox::Ok, self->m_window);
            box->setObjectName(QStringLiteral("configExportErrorMessageBox"));
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
        }
        Q_EMIT self->exported(path, error);
    });
}

QFileDialog *ConfigTransfer::chooseImportFile()
{
    auto *dialog = new QFileDialog(m_window, tr("Import configuration"), startDirectory(),
                                   tr("Configuration documents (*.yaml *.yml *.json)") + QStringLiteral(";;") +
                                       tr("All files (*)"));
    dialog->setObjectName(QStringLiteral("configImportFileDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptOpen);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, &ConfigTransfer::importFrom);
    dialog->open();
    return dialog;
}

ConfigImportDialog *ConfigTransfer::importFrom(const QString &path)
{
    m_lastDirectory = QFileInfo(path).absolutePath();
    auto *dialog = new ConfigImportDialog(m_gateway, path, m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ConfigImportDialog::applied, this, [this, path](const QList<ConfigChange> &changes) {
        Q_EMIT message(
            tr("Imported %1: %n change(s).", nullptr, int(changes.size())).arg(QDir::toNativeSeparators(path)));
    });
    dialog->open();
    return dialog;
}

} // namespace metamcp::ui
