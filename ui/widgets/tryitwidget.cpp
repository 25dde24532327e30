#include "widgets/tryitwidget.h"

#include "common/uiutil.h"
#include "gateway.h"
#include "model/protocol.h"
#include "widgets/schemaform.h"

#include <QFontDatabase>
#include <QImage>
#include <QJsonArray>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QShortcut>
#include <QSplitter>
#include <QTabWidget>
#include <QTextBrowser>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>

namespace metamcp::ui {

TryItWidget::TryItWidget(Gateway *gateway, QWidget *parent)
    : QWidget(parent)
    , m_gateway(gateway)
    , m_form(new SchemaForm)
    , m_callButton(new QPushButton(tr("&Call"), this))
    , m_cancelButton(new QPushButton(tr("C&ancel"), this))
    , m_resetButton(new QPushButton(tr("&Reset"), this))
    , m_progress(new QProgressBar(this))
    , m_statusLabel(new QLabel(this))
    , m_timingLabel(new QLabel(this))
    , m_resultTabs(new QTabWidget(this))
    , m_result(new QTextBrowser(this))
    , m_raw(createJsonView(QStringLiteral("rawResultPlainTextEdit"), this))
    , m_messages(createJsonView(QStringLiteral("callMessagesPlainTextEdit"), this))
    , m_elapsedTimer(new QTimer(this))
{
    m_form->setObjectName(QStringLiteral("tryItSchemaForm"));
    m_callButton->setObjectName(QStringLiteral("callPushButton"));
    m_callButton->setToolTip(tr("Call the tool with these arguments (Ctrl+Return)"));
    m_callButton->setDefault(true);
    m_cancelButton->setObjectName(QStringLiteral("cancelCallPushButton"));
    m_cancelButton->setToolTip(tr("Cancel the running call (the upstream is told to stop)"));
    m_cancelButton->setEnabled(false);
    m_resetButton->setObjectName(QStringLiteral("resetArgumentsPushButton"));
    m_resetButton->setToolTip(tr("Reset the form to the schema's defaults"));
    m_progress->setObjectName(QStringLiteral("callProgressBar"));
    m_progress->setAccessibleName(tr("Call progress"));
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(m_progress->fontMetrics().height());
    m_progress->hide();
    m_statusLabel->setObjectName(QStringLiteral("callStatusLabel"));
    m_statusLabel->setWordWrap(true);
    m_timingLabel->setObjectName(QStringLiteral("callTimingLabel"));
    m_result->setObjectName(QStringLiteral("resultTextBrowser"));
    m_result->setAccessibleName(tr("Result"));
    m_result->setOpenExternalLinks(true);
    m_resultTabs->setObjectName(QStringLiteral("resultTabWidget"));
    m_resultTabs->addTab(m_result, tr("Result"));
    m_resultTabs->addTab(m_raw, tr("Raw response"));
    m_resultTabs->addTab(m_messages, tr("Messages"));

    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("tryItScrollArea"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(m_form);

    auto *top = new QWidget(this);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(scroll, 1);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_callButton);
    buttons->addWidget(m_cancelButton);
    buttons->addWidget(m_resetButton);
    buttons->addWidget(m_progress, 1);
    buttons->addStretch(1);
    buttons->addWidget(m_timingLabel);
    topLayout->addLayout(buttons);
    topLayout->addWidget(m_statusLabel);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("tryItSplitter"));
    splitter->addWidget(top);
    splitter->addWidget(m_resultTabs);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    m_elapsedTimer->setInterval(100);
    connect(m_elapsedTimer, &QTimer::timeout, this, &TryItWidget::updateElapsed);
    connect(m_callButton, &QPushButton::clicked, this, &TryItWidget::call);
    connect(m_cancelButton, &QPushButton::clicked, this, [this] {
        if (m_running && m_requestHandle)
            m_gateway->cancelRequest(m_requestHandle);
    });
    connect(m_resetButton, &QPushButton::clicked, this,
            [this] { m_form->setSchema(m_tool.tool.value(QLatin1String("inputSchema")).toObject()); });
    auto *shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    shortcut->setContext(Qt::WidgetWithChildrenShortcut);
    connect(shortcut, &QShortcut::activated, this, &TryItWidget::call);
    setEnabled(false);
}

void TryItWidget::setTool(const QString &ns, const ToolInfo &tool)
{
    const bool same = ns == m_ns && tool.exposedName == m_tool.exposedName && tool.tool == m_tool.tool;
    m_ns = ns;
    m_tool = tool;
    setEnabled(!tool.exposedName.isEmpty());
    if (same)
        return;
    m_form->setSchema(tool.tool.value(QLatin1String("inputSchema")).toObject());
    if (m_running) { // a call of the previous tool: forget it
        ++m_callSerial;
        m_running = false;
        m_cancelButton->setEnabled(false);
        m_elapsedTimer->stop();
        m_progress->hide();
        m_callButton->setEnabled(true);
    }
    m_result->clear();
    m_raw->clear();
    m_messages->clear();
    m_statusLabel->clear();
    m_timingLabel->clear();
    m_callButton->setEnabled(tool.enabled);
    m_statusLabel->setText(tool.enabled ? QString() : tr("This tool is disabled in this namespace."));
}

void TryItWidget::call()
{
    if (m_running || m_tool.exposedName.isEmpty())
        return;
    const QStringList problems = m_form->validate();
    if (!problems.isEmpty()) {
        m_statusLabel->setText(tr("Fix the highlighted fields first:\n%1").arg(problems.join(QLatin1Char('\n'))));
        return;
    }
    m_running = true;
    const quint64 serial = ++m_callSerial;
    m_callButton->setEnabled(false);
    m_cancelButton->setEnabled(true);
    m_progress->setRange(0, 0); // busy until a progress notification says more
    m_progress->show();
    m_statusLabel->setText(tr("Calling %1…").arg(m_tool.exposedName));
    m_messages->clear();
    m_clock.start();
    m_elapsedTimer->start();
    updateElapsed();

    const QJsonObject params{{QStringLiteral("name"), m_tool.exposedName},
                             {QStringLiteral("arguments"), m_form->arguments()},
                             {QStringLiteral("_meta"), QJsonObject{{QStringLiteral("progressToken"),
                                                                    QStringLiteral("console-try-it-%1").arg(serial)}}}};
    QPointer<TryItWidget> self(this);
    m_requestHandle = m_gateway->request(
        m_ns, QStringLiteral("tools/call"), params,
        [self, serial](const QJsonObject &response) {
            if (self && self->m_callSerial == serial)
                self->finish(response);
        },
        [self, serial](const QJsonObject &message) {
            if (self && self->m_callSerial == serial)
                self->onMessage(message);
        });
}

void TryItWidget::onMessage(const QJsonObject &message)
{
    m_messages->appendPlainText(compactJson(message));
    const QString method = message.value(QLatin1String("method")).toString();
    const QJsonObject params = message.value(QLatin1String("params")).toObject();
    if (method == u"notifications/progress") {
        const double progress = params.value(QLatin1String("progress")).toDouble();
        const double total = params.value(QLatin1String("total")).toDouble();
        if (total > 0) {
            m_progress->setRange(0, 1000);
            m_progress->setValue(int(1000.0 * std::min(1.0, progress / total)));
        }
        const QString text = params.value(QLatin1String("message")).toString();
        if (!text.isEmpty())
            m_statusLabel->setText(text);
    }
}

void TryItWidget::finish(const QJsonObject &response)
{
    const qint64 elapsedUs = m_clock.nsecsElapsed() / 1000;
    m_running = false;
    m_elapsedTimer->stop();
    m_progress->hide();
    m_callButton->setEnabled(true);
    m_cancelButton->setEnabled(false);
    m_requestHandle = 0;
    m_timingLabel->setText(tr("Finished in %1").arg(formatLatencyUs(elapsedUs)));
    m_raw->setPlainText(prettyJson(response));
    renderResult(m_result, response);
    if (jsonrpc::isError(response))
        m_statusLabel->setText(tr("The call failed: %1").arg(jsonrpc::errorMessage(response)));
    else if (response.value(QLatin1String("result")).toObject().value(QLatin1String("isError")).toBool())
        m_statusLabel->setText(tr("The tool reported an error."));
    else
        m_statusLabel->setText(tr("The call succeeded."));
    m_resultTabs->setCurrentWidget(m_result);
    Q_EMIT callFinished(response, elapsedUs);
}

void TryItWidget::updateElapsed()
{
    m_timingLabel->setText(tr("Running… %1").arg(formatLatencyUs(m_clock.nsecsElapsed() / 1000)));
}

void TryItWidget::renderResult(QTextBrowser *browser, const QJsonObject &response)
{
    QString html;
    const QString err = errorColor(browser->palette()).name();
    if (jsonrpc::isError(response)) {
        const QJsonObject error = response.value(QLatin1String("error")).toObject();
        html += QStringLiteral("<p style=\"color:%1\"><b>%2</b></p>")
                    .arg(err, tr("Error %1: %2")
                                  .arg(error.value(QLatin1String("code")).toInt())
                                  .arg(error.value(QLatin1String("message")).toString().toHtmlEscaped()));
        if (error.contains(QLatin1String("data")))
            html += QStringLiteral("<pre>%1</pre>").arg(prettyJson(error.value(QLatin1String("data"))).toHtmlEscaped());
        browser->setHtml(html);
        return;
    }
    const QJsonObject result = response.value(QLatin1String("result")).toObject();
    if (result.value(QLatin1String("isError")).toBool())
        html += QStringLiteral("<p style=\"color:%1\"><b>%2</b></p>").arg(err, tr("The tool reported an error:"));
    const QJsonArray content = result.value(QLatin1String("content")).toArray();
    QList<std::pair<QUrl, QImage>> images; // added after setHtml(), which drops resources
    int imageNo = 0;
    for (const QJsonValue &v : content) {
        const QJsonObject block = v.toObject();
        const QString type = block.value(QLatin1String("type")).toString();
        if (type == u"text") {
            html += QStringLiteral("<pre style=\"white-space: pre-wrap\">%1</pre>")
                        .arg(block.value(QLatin1String("text")).toString().toHtmlEscaped());
        } else if (type == u"image") {
            QImage image;
            image.loadFromData(QByteArray::fromBase64(block.value(QLatin1String("data")).toString().toLatin1()));
            if (image.isNull()) {
                html += QStringLiteral("<p><i>%1</i></p>")
                            .arg(tr("An image (%1) that could not be decoded.")
                                     .arg(block.value(QLatin1String("mimeType")).toString().toHtmlEscaped()));
                continue;
            }
            const QUrl name(QStringLiteral("tryit-image://%1").arg(imageNo++));
            images.append({name, image});
            const int width = std::min(image.width(), 480);
            html += QStringLiteral("<p><img src=\"%1\" width=\"%2\"><br><small>%3</small></p>")
                        .arg(name.toString())
                        .arg(width)
                        .arg(tr("Image %1 × %2, %3")
                                 .arg(image.width())
                                 .arg(image.height())
                                 .arg(block.value(QLatin1String("mimeType")).toString().toHtmlEscaped()));
        } else if (type == u"audio") {
            html += QStringLiteral("<p><i>%1</i></p>")
                        .arg(tr("Audio (%1, %2)")
                                 .arg(block.value(QLatin1String("mimeType")).toString().toHtmlEscaped(),
                                      formatBytes(block.value(QLatin1String("data")).toString().size() * 3 / 4)));
        } else if (type == u"resource_link") {
            const QString uri = block.value(QLatin1String("uri")).toString();
            html += QStringLiteral("<p>%1 <a href=\"%2\">%3</a></p>")
                        .arg(tr("Resource link:"), uri.toHtmlEscaped(),
                             (block.value(QLatin1String("name")).toString().isEmpty()
                                  ? uri
                                  : block.value(QLatin1String("name")).toString())
                                 .toHtmlEscaped());
        } else if (type == u"resource") {
            const QJsonObject resource = block.value(QLatin1String("resource")).toObject();
            html += QStringLiteral("<p><b>%1</b> %2</p>")
                        .arg(tr("Resource"), resource.value(QLatin1String("uri")).toString().toHtmlEscaped());
            if (resource.contains(QLatin1String("text")))
                html += QStringLiteral("<pre style=\"white-space: pre-wrap\">%1</pre>")
                            .arg(resource.value(QLatin1String("text")).toString().toHtmlEscaped());
            else
                html += QStringLiteral("<p><i>%1</i></p>")
                            .arg(tr("Binary data (%1)").arg(resource.value(QLatin1String("mimeType")).toString()));
        } else {
            html += QStringLiteral("<pre>%1</pre>").arg(prettyJson(block).toHtmlEscaped());
        }
    }
    if (result.contains(QLatin1String("structuredContent"))) {
        html += QStringLiteral("<h4>%1</h4><pre>%2</pre>")
                    .arg(tr("Structured content"),
                         prettyJson(result.value(QLatin1String("structuredContent"))).toHtmlEscaped());
    }
    if (content.isEmpty() && !result.contains(QLatin1String("structuredContent")))
        html += QStringLiteral("<p><i>%1</i></p>").arg(tr("The result has no content."));
    browser->setHtml(html);
    for (const auto &[name, image] : std::as_const(images))
        browser->document()->addResource(QTextDocument::ImageResource, name, image);
    if (!images.isEmpty())
        browser->document()->markContentsDirty(0, browser->document()->characterCount());
}

} // namespace metamcp::ui
